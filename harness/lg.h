/* SPDX-License-Identifier: MIT */
/* lg.h: what every labgrade file needs: errors, allocation, the buffer. */
#ifndef LG_H
#define LG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define LG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Functions that are static in production but visible to unit tests. Not
 * cmocka's UNIT_TESTING: that one swaps malloc for cmocka's checked
 * allocator, which cannot free memory the library under test allocated. */
#ifdef LG_UNIT_TESTING
#define LG_TESTABLE
#else
#define LG_TESTABLE static
#endif

#if defined(__GNUC__)
#define LG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LG_NORETURN __attribute__((noreturn))
#else
#define LG_PRINTF(f, a)
#define LG_NORETURN
#endif

/*
 * Error codes of internal operations. A number is never reused: new codes go
 * at the end. lg_strerror() has a fixed sentence for each
 * (@test tests/unit/test_err.c).
 */
enum lg_err {
	LG_OK = 0,
	LG_EUSAGE = 1,	   /* bad invocation */
	LG_EIO = 2,	   /* a local file could not be read or written */
	LG_EPARSE = 3,	   /* a file or a response could not be parsed */
	LG_EHTTP = 4,	   /* connection, TLS or protocol failure */
	LG_ETIMEOUT = 5,   /* no answer in time */
	LG_EAUTH = 6,	   /* the server did not accept our credentials (401) */
	LG_EFORBIDDEN = 7, /* RBAC said no (403) */
	LG_ENOTFOUND = 8,  /* the object does not exist (404) */
	LG_ECONFLICT = 9,  /* stale resourceVersion or already exists (409) */
	LG_ESERVER = 10,   /* the server failed (5xx) */
	LG_ECONFIG = 11,   /* kubeconfig or rubric content is wrong */
	LG_ESSH = 12,	   /* SSH transport failure */
	LG_ETOOBIG = 13,   /* a response exceeded its size cap */
	LG_ECRED = 14,	   /* an exec credential plugin failed */
	LG_EINVALID = 15,  /* the server rejected a write (422) */
	LG_ERR_MAX_
};

/* A fixed, lower-case sentence for each code; never NULL. */
const char *lg_strerror(enum lg_err code);

/*
 * The first cause of a failure, with its detail. lg_errorf() records only if
 * nothing was recorded yet (the root cause wins, as curl's failf) and returns
 * the code so callers can write `return lg_errorf(err, LG_EIO, ...)`.
 * An all-zero struct lg_error is empty. err may be NULL.
 */
struct lg_error {
	enum lg_err code;
	char msg[768];
};

enum lg_err lg_errorf(struct lg_error *err, enum lg_err code, const char *fmt,
		      ...) LG_PRINTF(3, 4);
void lg_error_clear(struct lg_error *err);

/* Allocation: running out of memory is fatal, so results are never NULL. */
void *lg_xmalloc(size_t n);
void *lg_xcalloc(size_t nmemb, size_t size);
void *lg_xrealloc(void *p, size_t n);
char *lg_xstrdup(const char *s);
char *lg_xstrndup(const char *s, size_t n);
char *lg_xasprintf(const char *fmt, ...) LG_PRINTF(1, 2);
char *lg_xvasprintf(const char *fmt, va_list ap) LG_PRINTF(1, 0);
LG_NORETURN void lg_die(const char *fmt, ...) LG_PRINTF(1, 2);

/* Free *p and set it to NULL. */
void lg_freep(char **p);

/*
 * Secrets (tokens, private keys, Authorization headers): the one way to
 * clear them, with explicit_bzero so that the compiler cannot drop the
 * wipe of memory about to be freed. lg_secret_wipe clears n bytes of p
 * (NULL or n 0: nothing); lg_secret_free wipes a string up to its NUL and
 * frees it; lg_secret_free_n wipes n bytes and frees.
 */
void lg_secret_wipe(void *p, size_t n);
void lg_secret_free(char *s);
void lg_secret_free_n(void *p, size_t n);

/*
 * struct lg_buf: a growable byte string (git strbuf, curl dynbuf).
 * Invariants: buf is never NULL and always NUL-terminated at len; len never
 * exceeds max, so a hostile response cannot grow it without limit.
 * LG_BUF_INIT or lg_buf_init() give an empty buffer.
 * @test tests/unit/test_buf.c
 */
struct lg_buf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max; /* 0 means LG_BUF_DEFAULT_MAX */
};

#define LG_BUF_DEFAULT_MAX ((size_t)64 << 20)
extern char lg_buf_empty[];
#define LG_BUF_INIT                                                            \
	{                                                                      \
		lg_buf_empty, 0, 0, 0                                          \
	}

void lg_buf_init(struct lg_buf *b, size_t max);
/* Append; LG_ETOOBIG (and nothing appended) if max would be exceeded. */
enum lg_err lg_buf_add(struct lg_buf *b, const void *data, size_t n);
enum lg_err lg_buf_adds(struct lg_buf *b, const char *s);
enum lg_err lg_buf_addf(struct lg_buf *b, const char *fmt, ...) LG_PRINTF(2, 3);
enum lg_err lg_buf_vaddf(struct lg_buf *b, const char *fmt, va_list ap)
    LG_PRINTF(2, 0);
void lg_buf_reset(struct lg_buf *b);
/* Free the memory; the buffer is empty and usable again. */
void lg_buf_release(struct lg_buf *b);
/* Hand the memory to the caller (free() it); the buffer is empty again. */
char *lg_buf_detach(struct lg_buf *b, size_t *len);

#endif
