/* The foundation's C surface: every function with NULL for each pointer and with malformed
 * options; errors come back as statuses and error objects, never crashes or leaks. */
#include "check.h"

static void null_safety(void) {
    dc_client *c = NULL;
    dc_error *err = NULL;
    char *out = NULL;

    CHECK(strcmp(dc_status_name(DC_NOT_FOUND), "NOT_FOUND") == 0, "status name");
    CHECK(strcmp(dc_status_name(12345), "UNKNOWN") == 0, "unknown status name");
    CHECK(strlen(dc_version()) > 0, "version");

    /* Accessors and frees accept NULL. */
    CHECK(dc_error_status(NULL) == DC_OK, "a NULL error is no error");
    CHECK(strcmp(dc_error_message(NULL), "") == 0, "message of NULL error");
    CHECK(dc_error_http_status(NULL) == 0, "http status of NULL error");
    CHECK(strcmp(dc_error_json(NULL), "{}") == 0, "json of NULL error");
    dc_error_free(NULL);
    dc_string_free(NULL);
    dc_client_free(NULL);

    /* NULL out pointer, NULL err pointer. */
    CHECK(dc_client_new(NULL, NULL, NULL) == DC_INVALID_ARGUMENT, "NULL out");
    CHECK_STATUS(dc_client_new(NULL, NULL, &err), err, DC_INVALID_ARGUMENT);

    /* NULL client for every call. */
    CHECK_STATUS(dc_client_api_version(NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK(out == NULL, "out stays NULL on failure");
    CHECK_STATUS(dc_system_ping(NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_version(NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_info(NULL, &out, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_auth(NULL, NULL, &out, &err), err, DC_INVALID_ARGUMENT);

    c = test_client();
    CHECK_STATUS(dc_client_api_version(c, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_ping(c, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_version(c, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_info(c, NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_auth(c, "{}", NULL, &err), err, DC_INVALID_ARGUMENT);
    CHECK_STATUS(dc_system_auth(c, "{\"user\": 1}", &out, &err), err, DC_INVALID_ARGUMENT);
    dc_client_free(c);
}

static void malformed_options(void) {
    static const char *bad[] = {
        "{",                                  /* not JSON */
        "[]",                                 /* not an object */
        "\"unix:///x\"",                      /* a string */
        "{\"hots\": \"unix:///x\"}",          /* unknown key */
        "{\"host\": 5}",                      /* wrong type */
        "{\"host\": \"ftp://x\"}",            /* bad scheme */
        "{\"host\": \"unix://relative\"}",    /* bad path */
        "{\"api_version\": \"banana\"}",      /* bad version */
        "{\"api_version\": \"1.99\"}",        /* outside the range */
        "{\"timeout_ms\": -1}",               /* negative */
        "{\"tls\": {\"ca\": \"/nonexistent/ca.pem\"}, \"host\": \"tcp://127.0.0.1:1\"}",
        "{\"tls\": {\"cert\": \"/x\"}, \"host\": \"tcp://127.0.0.1:1\"}", /* cert without key */
        "{\"tls\": {\"verify\": \"yes\"}}",   /* wrong type inside */
        "{\"host\": \"unix:///x\", \"tls\": {}}", /* TLS for a socket */
        "\xff\xfe",                           /* invalid UTF-8 */
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dc_client *c = (dc_client *)0x1;
        dc_error *err = NULL;
        dc_status s = dc_client_new(bad[i], &c, &err);
        CHECK(s == DC_INVALID_ARGUMENT, "options %s: got %s", bad[i], dc_status_name(s));
        CHECK(c == NULL, "out cleared for %s", bad[i]);
        CHECK(err && strlen(dc_error_message(err)) > 0, "message for %s", bad[i]);
        CHECK(err && strstr(dc_error_json(err), "\"INVALID_ARGUMENT\"") != NULL, "json for %s", bad[i]);
        dc_error_free(err);
    }
    {
        /* The message names the unknown key. */
        dc_client *c = NULL;
        dc_error *err = NULL;
        dc_client_new("{\"hots\": \"x\"}", &c, &err);
        CHECK(err && strstr(dc_error_message(err), "hots") != NULL, "names the key: %s",
              err ? dc_error_message(err) : "");
        dc_error_free(err);
    }
}

static void against_the_engine(void) {
    dc_client *c = test_client();
    dc_error *err = NULL;
    char *out = NULL;

    CHECK_STATUS(dc_system_ping(c, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"api_version\"") != NULL, "ping json: %s", out ? out : "");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_client_api_version(c, &out, &err), err, DC_OK);
    CHECK(out && strncmp(out, "1.", 2) == 0, "api version %s", out ? out : "");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_system_version(c, &out, &err), err, DC_OK);
    CHECK(out && strstr(out, "\"ApiVersion\"") != NULL, "version json");
    dc_string_free(out);
    out = NULL;
    CHECK_STATUS(dc_system_info(c, &out, &err), err, DC_OK);
    dc_string_free(out);
    out = NULL;

    {
        char creds[512];
        snprintf(creds, sizeof creds,
                 "{\"username\": \"%s\", \"password\": \"not-the-password\", \"serveraddress\": \"%s\"}",
                 test_env("DC_TEST_REGISTRY_USER"), test_env("DC_TEST_AUTH_REGISTRY"));
        dc_status s = dc_system_auth(c, creds, &out, &err);
        CHECK(s == DC_UNAUTHORIZED, "wrong password: %s", dc_status_name(s));
        CHECK(err && strstr(dc_error_message(err), "not-the-password") == NULL, "no password in message");
        CHECK(err && strstr(dc_error_json(err), "not-the-password") == NULL, "no password in json");
        dc_error_free(err);
        err = NULL;
    }
    dc_client_free(c);

    {
        /* A daemon that is not there: transport error with the endpoint in the message. */
        dc_client *gone = NULL;
        dc_status s = dc_client_new("{\"host\": \"unix:///nonexistent/d.sock\"}", &gone, &err);
        CHECK(s == DC_OK, "client creation makes no connection");
        s = dc_system_ping(gone, &out, &err);
        CHECK(s == DC_TRANSPORT, "ping of a missing socket: %s", dc_status_name(s));
        CHECK(err && strstr(dc_error_message(err), "/nonexistent/d.sock") != NULL, "names the socket");
        dc_error_free(err);
        dc_client_free(gone);
    }
}

int main(void) {
    null_safety();
    malformed_options();
    against_the_engine();
    DONE();
}
