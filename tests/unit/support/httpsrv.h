/* SPDX-License-Identifier: MIT */
/* httpsrv.h: a tiny HTTP/1.1 server on 127.0.0.1 for unit tests: it answers
 * every request with one canned reply, or hangs, closes or resets, and
 * keeps a log of what it was sent. One thread per connection. */
#ifndef LG_TEST_HTTPSRV_H
#define LG_TEST_HTTPSRV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../../../harness/lg.h"

enum srv_mode { SRV_REPLY, SRV_HANG, SRV_CLOSE, SRV_RESET };

#define SRV_MAX_CONN 16

struct srv {
	int lfd, port;
	enum srv_mode mode;
	char *reply;
	pthread_t th, conn_th[SRV_MAX_CONN];
	int nconn;
	pthread_mutex_t mu;
	int reqs;
	struct lg_buf log;
	atomic_bool stop;
};

/* Start a server; raw_reply is the whole HTTP answer and is taken (freed
 * by srv_free). The port is in ->port. */
struct srv *srv_start(enum srv_mode mode, char *raw_reply);
/* Stop and join every thread; the log and counters stay readable. */
void srv_stop(struct srv *s);
void srv_free(struct srv *s);
/* A listening socket on 127.0.0.1 with a free port (cmocka-asserted). */
int listen_any(int *port);

#endif
