// The C++17 header (include/dockerclient.hpp) on the real engine, under valgrind: RAII handles,
// errors as exceptions, std::function callbacks, and the exception rule: an exception thrown by
// a callback stops the call and comes back out unchanged, leaving the client usable.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <thread>

#include "dockerclient.hpp"

static int passed = 0, failed = 0;
#define EXPECT(cond, what)                                                      \
    do {                                                                        \
        if (cond) {                                                             \
            passed++;                                                           \
        } else {                                                                \
            failed++;                                                           \
            std::fprintf(stderr, "FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, what); \
        }                                                                       \
    } while (0)

struct mine {
    int code;
};

int main() {
    const char *host = std::getenv("DC_TEST_UNIX");
    const char *base = std::getenv("DC_TEST_BASE_IMAGE");
    if (!host || !base) return 2;
    dockerclient::client c(std::string(R"({"host": ")") + host + "\"}");

    EXPECT(c.version().find("ApiVersion") != std::string::npos, "version");
    EXPECT(c.list_images(R"({"all": true})").front() == '[', "list");

    // An error is an exception with its status.
    try {
        c.inspect_image("dctest/no-such-image-for-cxx:1");
        EXPECT(false, "no exception");
    } catch (const dockerclient::error &e) {
        EXPECT(e.status() == DC_NOT_FOUND, e.what());
        EXPECT(e.http_status() == 404, e.json().c_str());
    }

    // A callback that throws: the save stops, the exception comes back unchanged.
    std::size_t chunks = 0;
    try {
        c.save(std::string(R"({"names": ")") + base + "\"}", [&](std::string_view) -> bool {
            if (++chunks == 2) throw mine{42};
            return true;
        });
        EXPECT(false, "no exception from the callback");
    } catch (const mine &m) {
        EXPECT(m.code == 42, "the callback's own exception");
    }
    EXPECT(chunks == 2, "no callback after the one that threw");

    // A save read by the program: the same bytes as through the callback; the reader frees
    // itself (an early one too).
    {
        const std::string opts = std::string(R"({"names": ")") + base + "\"}";
        std::size_t through_callback = 0;
        c.save(opts, [&](std::string_view b) -> bool {
            through_callback += b.size();
            return true;
        });
        auto r = c.open_save(opts);
        std::vector<char> buf(100000);
        std::size_t total = 0, n;
        while ((n = r.read(buf.data(), buf.size())) > 0) total += n;
        EXPECT(total == through_callback, "the reader's archive has the callback's size");
        auto early = c.open_save(opts);
        EXPECT(early.read(buf.data(), 10) == 10, "ten bytes, then the reader is dropped");
        try {
            c.open_save(R"({"names": "dctest/no-such-image-for-cxx:1"})");
            EXPECT(false, "no exception");
        } catch (const dockerclient::error &e) {
            EXPECT(e.status() == DC_NOT_FOUND, e.what());
        }
    }

    // A progress callback returning false: DC_CANCELLED as an error.
    try {
        c.build(std::string(R"({"remote": "http://127.0.0.1:1/none.tar", "version": "1"})"), nullptr,
                [](std::string_view) { return false; });
    } catch (const dockerclient::error &e) {
        EXPECT(e.status() == DC_TRANSPORT || e.status() == DC_SERVER_ERROR || e.status() == DC_CANCELLED ||
                   e.status() == DC_INVALID_ARGUMENT,
               e.what());
    }

    // A read callback that throws: the load stops, the exception comes back.
    try {
        c.load("", [](char *, std::size_t) -> std::size_t { throw std::string("reader failed"); });
        EXPECT(false, "no exception from the reader");
    } catch (const std::string &s) {
        EXPECT(s == "reader failed", "the reader's exception");
    }

    // Cancel from another thread through a token.
    {
        dockerclient::cancel_token token;
        dockerclient::client cancellable = c.with_cancel(token);
        std::thread t([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            token.trigger();
        });
        try {
            cancellable.build(std::string(R"({"version": "1", "no_cache": true, "network_mode": "none", "dockerfile": "Dockerfile"})"),
                              [](char *buf, std::size_t cap) -> std::size_t {
                                  // A context that trickles and never ends: the daemon waits.
                                  std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                  if (cap > 0) buf[0] = 0;
                                  return cap > 0 ? 1 : 0;
                              });
            EXPECT(false, "the build ended by itself");
        } catch (const dockerclient::error &e) {
            EXPECT(e.status() == DC_CANCELLED, e.what());
        }
        t.join();
        EXPECT(token.triggered(), "triggered");
    }

    // Still usable.
    EXPECT(c.ping().find("api_version") != std::string::npos, "ping after all that");
    std::printf("tests/c/test_cxx.cpp: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
