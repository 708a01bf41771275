/* SPDX-License-Identifier: MIT */
/* httpsrv.c: the unit tests' tiny HTTP server (see httpsrv.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "httpsrv.h"

/* ================================================================== */
/* A tiny HTTP server on 127.0.0.1, shared by the unit tests.          */

struct srv_conn {
	struct srv *s;
	int fd;
};

/* Wait for input; false when stopping or the peer closed. */
static bool srv_wait(struct srv *s, int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (!atomic_load(&s->stop)) {
		if (poll(&p, 1, 20) > 0)
			return true;
	}
	return false;
}

/* Read one request (head + Content-Length body) into b. */
static bool srv_read_request(struct srv *s, int fd, struct lg_buf *b)
{
	char chunk[4096], *end, *cl;
	ssize_t n;
	size_t want;

	lg_buf_reset(b);
	for (;;) {
		end = strstr(b->buf, "\r\n\r\n");
		if (end) {
			cl = strcasestr(b->buf, "Content-Length:");
			want =
			    (size_t)(end + 4 - b->buf) +
			    (cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0);
			if (b->len >= want)
				return true;
		}
		if (!srv_wait(s, fd))
			return false;
		n = read(fd, chunk, sizeof(chunk));
		if (n <= 0)
			return false;
		lg_buf_add(b, chunk, (size_t)n);
	}
}

static void *srv_conn_main(void *arg)
{
	struct srv_conn *c = arg;
	struct srv *s = c->s;
	struct lg_buf b = LG_BUF_INIT;
	struct linger lin = {1, 0};
	char sink[256];

	while (srv_read_request(s, c->fd, &b)) {
		pthread_mutex_lock(&s->mu);
		s->reqs++;
		lg_buf_add(&s->log, b.buf, b.len);
		pthread_mutex_unlock(&s->mu);
		if (s->mode == SRV_REPLY &&
		    send(c->fd, s->reply, strlen(s->reply), MSG_NOSIGNAL) > 0)
			continue;
		if (s->mode == SRV_RESET)
			setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lin,
				   sizeof(lin));
		while (s->mode == SRV_HANG && srv_wait(s, c->fd) &&
		       read(c->fd, sink, sizeof(sink)) > 0)
			;
		break;
	}
	close(c->fd);
	lg_buf_release(&b);
	free(c);
	return NULL;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;
	struct srv_conn *c;
	int fd;

	while (srv_wait(s, s->lfd)) {
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		c = lg_xcalloc(1, sizeof(*c));
		c->s = s;
		c->fd = fd;
		pthread_mutex_lock(&s->mu);
		if (s->nconn < SRV_MAX_CONN)
			pthread_create(&s->conn_th[s->nconn++], NULL,
				       srv_conn_main, c);
		else
			close(fd), free(c);
		pthread_mutex_unlock(&s->mu);
	}
	return NULL;
}

/* A listening socket on 127.0.0.1 with a free port. */
int listen_any(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* raw_reply: the whole HTTP answer, taken (freed by srv_free). */
struct srv *srv_start(enum srv_mode mode, char *raw_reply)
{
	struct srv *s = lg_xcalloc(1, sizeof(*s));

	s->mode = mode;
	s->reply = raw_reply;
	pthread_mutex_init(&s->mu, NULL);
	lg_buf_init(&s->log, 0);
	s->lfd = listen_any(&s->port);
	pthread_create(&s->th, NULL, srv_main, s);
	return s;
}

/* Stop, join; the log and counters stay readable until srv_free. */
void srv_stop(struct srv *s)
{
	int i;

	atomic_store(&s->stop, true);
	pthread_join(s->th, NULL);
	for (i = 0; i < s->nconn; i++)
		pthread_join(s->conn_th[i], NULL);
	close(s->lfd);
}

void srv_free(struct srv *s)
{
	lg_buf_release(&s->log);
	pthread_mutex_destroy(&s->mu);
	free(s->reply);
	free(s);
}
