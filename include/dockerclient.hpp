// dockerclient.hpp: a header-only C++17 layer over dockerclient.h.
//
// - RAII: dockerclient::client and dockerclient::cancel_token free their handles; strings the
//   library returns are copied into std::string and freed at once.
// - Errors are exceptions: dockerclient::error carries the status, the message, the HTTP
//   status and the whole error as JSON.
// - Callbacks are std::function. The C library must never be unwound through (its callbacks
//   must return), so every callback runs inside a try block here: an exception thrown by
//   yours stops the operation (the callback returns non-zero, the library closes what it had
//   open) and is rethrown, unchanged, once the call has returned.
//
//   dockerclient::client c;                       // the environment, as the docker CLI reads it
//   std::string images = c.list_images(R"({"all": true})");
//   c.pull(R"({"image": "busybox:1.36"})", [](std::string_view msg) { std::cout << msg; return true; });
//
// Results are the JSON documents the C functions return (see dockerclient.h for each).
#ifndef DOCKERCLIENT_HPP
#define DOCKERCLIENT_HPP

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "dockerclient.h"

namespace dockerclient {

/// A failed call: what dc_error tells.
class error : public std::runtime_error {
public:
    error(dc_status status, const std::string &message, std::string json, int http_status)
        : std::runtime_error(message), status_(status), json_(std::move(json)), http_status_(http_status) {}

    /// DC_NOT_FOUND, DC_TIMEOUT, … (dc_status_name() names it).
    dc_status status() const noexcept { return status_; }
    /// The whole error as JSON (dc_error_json).
    const std::string &json() const noexcept { return json_; }
    /// The daemon's HTTP status, 0 when it did not answer.
    int http_status() const noexcept { return http_status_; }

private:
    dc_status status_;
    std::string json_;
    int http_status_;
};

/// Receives progress messages or archive chunks; return false to stop the operation.
using write_fn = std::function<bool(std::string_view)>;
/// Fills up to `cap` bytes of `buf` and returns how many (0 at the end).
using read_fn = std::function<std::size_t(char *buf, std::size_t cap)>;

namespace detail {

// `err` is taken by reference: in `check(dc_call(..., &err), err)` the order in which the two
// arguments are evaluated is unspecified, and a copy might be taken before the call fills it.
inline void check(dc_status status, dc_error *const &err) {
    if (status == DC_OK) return;
    std::string message = dc_error_message(err);
    std::string json = dc_error_json(err);
    int http = dc_error_http_status(err);
    dc_error_free(err);
    throw error(status, message, std::move(json), http);
}

inline std::string take(char *s) {
    std::string out = s ? std::string(s) : std::string();
    dc_string_free(s);
    return out;
}

inline const char *c_str_or_null(const std::string &s) { return s.empty() ? nullptr : s.c_str(); }

/// A C callback's userdata: the std::function, and what it threw.
struct writer {
    write_fn fn;
    std::exception_ptr thrown;

    static int32_t call(void *userdata, const uint8_t *buf, size_t len) noexcept {
        auto *w = static_cast<writer *>(userdata);
        try {
            return w->fn(std::string_view(reinterpret_cast<const char *>(buf), len)) ? 0 : 1;
        } catch (...) {
            w->thrown = std::current_exception();
            return 1;
        }
    }
};

struct reader {
    read_fn fn;
    std::exception_ptr thrown;

    static intptr_t call(void *userdata, uint8_t *buf, size_t cap) noexcept {
        auto *r = static_cast<reader *>(userdata);
        try {
            std::size_t n = r->fn(reinterpret_cast<char *>(buf), cap);
            return n > cap ? static_cast<intptr_t>(cap) + 1 : static_cast<intptr_t>(n);
        } catch (...) {
            r->thrown = std::current_exception();
            return -1;
        }
    }
};

/// After a call: a callback's own exception first (the call failed because of it), then the
/// library's error.
inline void finish(dc_status status, dc_error *err, const std::exception_ptr &a, const std::exception_ptr &b = nullptr) {
    if (status != DC_OK && (a || b)) {
        dc_error_free(err);
        std::rethrow_exception(a ? a : b);
    }
    check(status, err);
}

inline dc_write_cb write_cb(const writer &w) { return w.fn ? &writer::call : nullptr; }
inline dc_read_cb read_cb(const reader &r) { return r.fn ? &reader::call : nullptr; }

} // namespace detail

/// A cancel token: trigger() from any thread stops the calls made with it.
class cancel_token {
public:
    cancel_token() {
        dc_error *err = nullptr;
        detail::check(dc_cancel_new(&raw_, &err), err);
    }
    cancel_token(const cancel_token &) = delete;
    cancel_token &operator=(const cancel_token &) = delete;
    ~cancel_token() { dc_cancel_free(raw_); }

    void trigger() const noexcept { dc_cancel_trigger(raw_); }
    bool triggered() const noexcept { return dc_cancel_triggered(raw_) != 0; }
    /// For the "cancel" option of a call.
    uint64_t id() const noexcept { return dc_cancel_id(raw_); }
    const dc_cancel *get() const noexcept { return raw_; }

private:
    dc_cancel *raw_ = nullptr;
};

/// A save read by the program, as from a file (client::open_save, dc_image_save_open).
class save_reader {
public:
    explicit save_reader(dc_reader *raw) noexcept : r_(raw) {}
    save_reader(save_reader &&) noexcept = default;
    save_reader &operator=(save_reader &&) noexcept = default;

    /// Fills `buf` with the archive's next bytes unless it ends first; 0 once the whole archive
    /// was read and found complete. Throws dockerclient::error (a failure mid-archive comes
    /// after the bytes that arrived before it).
    std::size_t read(void *buf, std::size_t len) {
        std::size_t n = 0;
        dc_error *err = nullptr;
        detail::check(dc_reader_read(r_.get(), static_cast<uint8_t *>(buf), len, &n, &err), err);
        return n;
    }

private:
    struct deleter {
        void operator()(dc_reader *r) const noexcept { dc_reader_free(r); }
    };
    std::unique_ptr<dc_reader, deleter> r_;
};

/// A connection to one daemon; thread-safe, as dc_client.
class client {
public:
    /// Options as dc_client_new takes them ("" = everything from the environment).
    explicit client(const std::string &options_json = std::string()) {
        dc_client *c = nullptr;
        dc_error *err = nullptr;
        detail::check(dc_client_new(detail::c_str_or_null(options_json), &c, &err), err);
        c_.reset(c);
    }

    /// A client sharing this one's connections whose calls `token` stops (it must outlive the
    /// returned client's calls).
    client with_cancel(const cancel_token &token) const {
        dc_client *c = nullptr;
        dc_error *err = nullptr;
        detail::check(dc_client_with_cancel(c_.get(), token.get(), &c, &err), err);
        return client(c);
    }

    const dc_client *get() const noexcept { return c_.get(); }

    std::string ping() const { return json_call(dc_system_ping); }
    std::string version() const { return json_call(dc_system_version); }
    std::string info() const { return json_call(dc_system_info); }

    std::string list_images(const std::string &options = std::string()) const {
        return options_call(dc_image_list, options);
    }
    std::string prune_images(const std::string &options = std::string()) const {
        return options_call(dc_image_prune, options);
    }
    std::string search_images(const std::string &options) const { return options_call(dc_image_search, options); }
    std::string commit(const std::string &options) const { return options_call(dc_image_commit, options); }
    std::string inspect_image(const std::string &name, const std::string &options = std::string()) const {
        return named_call(dc_image_inspect, name, options);
    }
    std::string image_history(const std::string &name, const std::string &options = std::string()) const {
        return named_call(dc_image_history, name, options);
    }
    std::string remove_image(const std::string &name, const std::string &options = std::string()) const {
        return named_call(dc_image_remove, name, options);
    }
    std::string distribution(const std::string &name, const std::string &options = std::string()) const {
        return named_call(dc_image_distribution, name, options);
    }
    void tag_image(const std::string &name, const std::string &options) const {
        dc_error *err = nullptr;
        detail::check(dc_image_tag(c_.get(), name.c_str(), options.c_str(), &err), err);
    }

    std::string pull(const std::string &options, write_fn progress = nullptr) const {
        detail::writer w{std::move(progress), nullptr};
        char *out = nullptr;
        dc_error *err = nullptr;
        dc_status s = dc_image_pull(c_.get(), options.c_str(), detail::write_cb(w), &w, &out, &err);
        detail::finish(s, err, w.thrown);
        return detail::take(out);
    }

    std::string push(const std::string &name, const std::string &options = std::string(), write_fn progress = nullptr) const {
        detail::writer w{std::move(progress), nullptr};
        char *out = nullptr;
        dc_error *err = nullptr;
        dc_status s = dc_image_push(c_.get(), name.c_str(), detail::c_str_or_null(options), detail::write_cb(w), &w, &out, &err);
        detail::finish(s, err, w.thrown);
        return detail::take(out);
    }

    /// Saves images; the archive goes to `chunks`, or to "output_path" when `chunks` is empty.
    void save(const std::string &options, write_fn chunks = nullptr) const {
        detail::writer w{std::move(chunks), nullptr};
        dc_error *err = nullptr;
        dc_status s = dc_image_save(c_.get(), options.c_str(), detail::write_cb(w), &w, &err);
        detail::finish(s, err, w.thrown);
    }

    /// Opens a save for the program to read (dc_image_save_open): one copy, socket to `buf`.
    save_reader open_save(const std::string &options) const {
        dc_reader *r = nullptr;
        dc_error *err = nullptr;
        detail::check(dc_image_save_open(c_.get(), options.c_str(), &r, &err), err);
        return save_reader(r);
    }

    /// Loads an archive from `input` (or "input_path" when `input` is empty).
    std::string load(const std::string &options, read_fn input = nullptr, write_fn progress = nullptr) const {
        return upload(dc_image_load, options, std::move(input), std::move(progress));
    }

    /// Imports a tarball from `input` (or "input_path" / "url" when `input` is empty).
    std::string import_image(const std::string &options, read_fn input = nullptr, write_fn progress = nullptr) const {
        return upload(dc_image_import, options, std::move(input), std::move(progress));
    }

    /// Builds from "context_dir" / "remote", or a tar from `context`.
    std::string build(const std::string &options, read_fn context = nullptr, write_fn progress = nullptr) const {
        return upload(dc_image_build, options, std::move(context), std::move(progress));
    }

private:
    struct deleter {
        void operator()(dc_client *c) const noexcept { dc_client_free(c); }
    };

    explicit client(dc_client *c) : c_(c) {}

    template <typename F>
    std::string json_call(F f) const {
        char *out = nullptr;
        dc_error *err = nullptr;
        detail::check(f(c_.get(), &out, &err), err);
        return detail::take(out);
    }

    template <typename F>
    std::string options_call(F f, const std::string &options) const {
        char *out = nullptr;
        dc_error *err = nullptr;
        detail::check(f(c_.get(), detail::c_str_or_null(options), &out, &err), err);
        return detail::take(out);
    }

    template <typename F>
    std::string named_call(F f, const std::string &name, const std::string &options) const {
        char *out = nullptr;
        dc_error *err = nullptr;
        detail::check(f(c_.get(), name.c_str(), detail::c_str_or_null(options), &out, &err), err);
        return detail::take(out);
    }

    template <typename F>
    std::string upload(F f, const std::string &options, read_fn input, write_fn progress) const {
        detail::reader r{std::move(input), nullptr};
        detail::writer w{std::move(progress), nullptr};
        char *out = nullptr;
        dc_error *err = nullptr;
        dc_status s = f(c_.get(), detail::c_str_or_null(options), detail::read_cb(r), &r, detail::write_cb(w), &w, &out, &err);
        detail::finish(s, err, w.thrown, r.thrown);
        return detail::take(out);
    }

    std::unique_ptr<dc_client, deleter> c_;
};

} // namespace dockerclient

#endif
