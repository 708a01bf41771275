/* SPDX-License-Identifier: MIT */
/* ssh.c: libssh2 sessions to students' VMs, and the thread that pumps
 * their direct-tcpip channels to local sockets. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netinet/in.h>
#include <openssl/evp.h>

#include "ssh.h"

#define TUN_BUF 32768

/* One tunnel: a local socket end and its channel (NULL while opening). */
struct tunnel {
	int fd;
	LIBSSH2_CHANNEL *ch;
	char *host;
	int port;
	long long open_by; /* deadline of the channel open */
	char up[TUN_BUF], down[TUN_BUF];
	size_t nup, ndown;	/* bytes waiting for the channel / the fd */
	bool fd_eof, ch_eof;	/* no more bytes from that side */
	bool eof_sent, closing; /* EOF sent to the channel; being freed */
	struct tunnel *next;
};

struct listener {
	int fd;
	char *host;
	int port;
	struct listener *next;
};

struct lg_ssh {
	LIBSSH2_SESSION *sess;
	int sock;
	char *where; /* "host:port", for messages */
	long connect_ms;
	long long deadline;
	pthread_t pump;
	bool started;
	int wake[2]; /* the pump's pipe: a byte means "look at the queue" */
	pthread_mutex_t lock;
	struct tunnel *queue;	    /* new tunnels, under lock */
	struct listener *listeners; /* under lock */
	bool stop, dead;	    /* under lock */
	long long kill_at;	    /* under lock; 0: never */
	char last_error[256];	    /* under lock */
	struct tunnel *tunnels;	    /* the pump's own */
};

static pthread_once_t ssh_init_ctl = PTHREAD_ONCE_INIT;
/* known_hosts appends of all sessions */
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;

static void ssh_init_once(void)
{
	if (libssh2_init(0) != 0)
		lg_die("cannot initialise libssh2");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static const char *ssh_msg(LIBSSH2_SESSION *sess)
{
	char *msg = NULL;

	libssh2_session_last_error(sess, &msg, NULL, 0);
	return msg && *msg ? msg : "unknown error";
}

/*
 * Wait until the socket is ready in the directions libssh2 is blocked on,
 * or the session's deadline passes (LG_ETIMEOUT, naming what).
 */
static enum lg_err ssh_wait(struct lg_ssh *s, const char *what,
			    struct lg_error *err)
{
	int dir = libssh2_session_block_directions(s->sess);
	struct pollfd p = {s->sock, 0, 0};
	long long left = s->deadline - now_ms();

	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (!p.events)
		p.events = POLLIN;
	if (left > 0 && poll(&p, 1, (int)left) >= 0 && now_ms() < s->deadline)
		return LG_OK;
	return lg_errorf(err, LG_ETIMEOUT, "%s: no answer to %s within %ld ms",
			 s->where, what, s->connect_ms);
}

/* ------------------------------------------------------------------ */
/* Connecting.                                                         */

/* A non-blocking connect to one address, waited for until the deadline. */
/* The end of a non-blocking connect: 0, or the errno it failed with
 * (ETIMEDOUT when the deadline came first). */
static int connect_wait(int fd, long long deadline)
{
	struct pollfd p = {fd, POLLOUT, 0};
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	long long left = deadline - now_ms();

	if (left <= 0 || poll(&p, 1, (int)left) != 1)
		return ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		return errno;
	return soerr;
}

/* A non-blocking connect to one address, waited for until the deadline;
 * -1 with errno set on a failure. */
static int connect_one(const struct addrinfo *ai, long long deadline)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			ai->ai_protocol);
	int e = 0;

	if (fd < 0)
		return -1;
	set_nonblock(fd);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	e = errno == EINPROGRESS ? connect_wait(fd, deadline) : errno;
	if (e == 0)
		return fd;
	close(fd);
	errno = e;
	return -1;
}

static enum lg_err tcp_connect(struct lg_ssh *s, const struct lg_ssh_opts *o,
			       struct lg_error *err)
{
	struct addrinfo hints = {0}, *res = NULL, *ai;
	char port[16];
	int rc, e = 0;

	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", o->via_host ? o->via_port : o->port);
	rc = getaddrinfo(o->via_host ? o->via_host : o->host, port, &hints,
			 &res);
	if (rc)
		return lg_errorf(err, LG_ESSH, "cannot resolve '%s': %s",
				 o->host, gai_strerror(rc));
	s->sock = -1;
	for (ai = res; ai && s->sock < 0; ai = ai->ai_next) {
		s->sock = connect_one(ai, s->deadline);
		e = errno;
	}
	freeaddrinfo(res);
	if (s->sock >= 0)
		return LG_OK;
	if (e == ETIMEDOUT)
		return lg_errorf(err, LG_ETIMEOUT,
				 "%s: no TCP connection within %ld ms",
				 s->where, o->connect_ms);
	return lg_errorf(err, LG_ESSH, "%s: cannot connect: %s", s->where,
			 strerror(e));
}

/* ------------------------------------------------------------------ */
/* Host keys.                                                          */

static int known_key_type(int hostkey_type)
{
	switch (hostkey_type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA:
		return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS:
		return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519:
		return LIBSSH2_KNOWNHOST_KEY_ED25519;
	default:
		return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

/* "SHA256:<base64 without padding>" of a 32-byte digest, as ssh prints. */
static void sha256_text(const unsigned char *d, char *out, size_t n)
{
	unsigned char b64[64];
	int len = EVP_EncodeBlock(b64, d, 32);

	while (len > 0 && b64[len - 1] == '=')
		len--;
	snprintf(out, n, "SHA256:%.*s", len, (const char *)b64);
}

/* The fingerprint of a known_hosts key (base64 of the key blob). */
static void lg_ssh_fingerprint_b64(const char *b64, char *out, size_t n)
{
	size_t len = strlen(b64), pad = 0;
	unsigned char *raw = lg_xmalloc(len / 4 * 3 + 4);
	unsigned char d[32];
	int rl = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)len);

	if (len && b64[len - 1] == '=')
		pad++;
	if (len > 1 && b64[len - 2] == '=')
		pad++;
	if (rl < 0 || (size_t)rl < pad) {
		snprintf(out, n, "(unreadable key)");
	} else {
		EVP_Digest(raw, (size_t)rl - pad, d, NULL, EVP_sha256(), NULL);
		sha256_text(d, out, n);
	}
	free(raw);
}

/* 20 bytes in base64 as OpenSSH writes them: 27 characters and '='. */
static bool b64_20(const char *s)
{
	size_t i;

	for (i = 0; i < 27; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' && s[i] != '/')
			return false;
	return s[27] == '=';
}

/*
 * A hashed entry must have OpenSSH's shape, "|1|SALT|HASH " with a 20-byte
 * salt and hash: libssh2 1.10 leaks on other shapes (libssh2/libssh2#1957,
 * #2245), and ssh never writes them.
 */
static bool hashed_ok(const char *l, size_t n)
{
	if (n < 3 || memcmp(l, "|1|", 3))
		return true;
	return n > 60 && b64_20(l + 3) && l[31] == '|' && b64_20(l + 32) &&
	       (l[60] == ' ' || l[60] == '\t');
}

/* Read known_hosts line by line: one line libssh2 cannot read (a key type
 * it does not know) must not hide the others. libssh2 expects each line
 * with its newline (it drops the last character), as fgets gives it. */
static void lg_ssh_known_load(LIBSSH2_KNOWNHOSTS *kh, const char *text,
			      size_t len)
{
	size_t pos = 0, end;
	char *line;

	while (pos < len) {
		end = pos;
		while (end < len && text[end] != '\n')
			end++;
		/* a NUL byte would end the line early for libssh2 */
		if (end > pos && !memchr(text + pos, '\0', end - pos) &&
		    hashed_ok(text + pos, end - pos)) {
			line = lg_xmalloc(end - pos + 2);
			memcpy(line, text + pos, end - pos);
			memcpy(line + (end - pos), "\n", 2);
			libssh2_knownhost_readline(
			    kh, line, end - pos + 1,
			    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
			free(line);
		}
		pos = end + 1;
	}
}

static void known_read(LIBSSH2_KNOWNHOSTS *kh, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct lg_buf b;
	char chunk[8192];
	size_t n;

	if (!f)
		return;
	lg_buf_init(&b, (size_t)16 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (lg_buf_add(&b, chunk, n))
			break;
	fclose(f);
	lg_ssh_known_load(kh, b.buf, b.len);
	lg_buf_release(&b);
}

/* Whether known_hosts, read again now, has this very key for the host. */
static bool known_now(const struct lg_ssh_opts *o, const char *key, size_t len,
		      int type)
{
	LIBSSH2_SESSION *tmp = libssh2_session_init();
	LIBSSH2_KNOWNHOSTS *kh = tmp ? libssh2_knownhost_init(tmp) : NULL;
	int check = -1;

	if (kh) {
		known_read(kh, o->known_hosts);
		check = libssh2_knownhost_checkp(
		    kh, o->host, o->port, key, len,
		    LIBSSH2_KNOWNHOST_TYPE_PLAIN |
			LIBSSH2_KNOWNHOST_KEYENC_RAW | type,
		    NULL);
		libssh2_knownhost_free(kh);
	}
	if (tmp)
		libssh2_session_free(tmp);
	return check == LIBSSH2_KNOWNHOST_CHECK_MATCH;
}

/* Append a line to known_hosts, unless another session just did. */
static enum lg_err known_append(const struct lg_ssh_opts *o, const char *key,
				size_t len, int type, const char *line,
				size_t ll, struct lg_error *err)
{
	FILE *f;
	int bad;

	pthread_mutex_lock(&known_lock);
	/* two students on one VM: the first session may have recorded it */
	if (known_now(o, key, len, type)) {
		pthread_mutex_unlock(&known_lock);
		return LG_OK;
	}
	f = fopen(o->known_hosts, "a");
	bad = !f || fwrite(line, 1, ll, f) != ll;
	if (f && fclose(f))
		bad = 1;
	pthread_mutex_unlock(&known_lock);
	if (bad)
		return lg_errorf(err, LG_EIO, "cannot write '%s': %s",
				 o->known_hosts, strerror(errno));
	return LG_OK;
}

static enum lg_err known_add(LIBSSH2_KNOWNHOSTS *kh,
			     const struct lg_ssh_opts *o, const char *key,
			     size_t len, int type, struct lg_error *err)
{
	char *spec = o->port == 22 ? lg_xstrdup(o->host)
				   : lg_xasprintf("[%s]:%d", o->host, o->port);
	struct libssh2_knownhost *node = NULL;
	char line[8192];
	size_t ll = 0;
	int rc = libssh2_knownhost_addc(kh, spec, NULL, key, len, NULL, 0,
					LIBSSH2_KNOWNHOST_TYPE_PLAIN |
					    LIBSSH2_KNOWNHOST_KEYENC_RAW | type,
					&node);

	free(spec);
	if (rc == 0)
		rc = libssh2_knownhost_writeline(
		    kh, node, line, sizeof(line), &ll,
		    LIBSSH2_KNOWNHOST_FILE_OPENSSH);
	if (rc || ll == 0 || ll + 1 >= sizeof(line))
		return lg_errorf(err, LG_ESSH, "cannot record the host key");
	if (line[ll - 1] != '\n')
		line[ll++] = '\n';
	return known_append(o, key, len, type, line, ll, err);
}

static enum lg_err key_verdict(struct lg_ssh *s, const struct lg_ssh_opts *o,
			       int check, const struct libssh2_knownhost *found,
			       const char *fp, struct lg_error *err)
{
	char old[80];

	if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH)
		return LG_OK;
	if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
		lg_ssh_fingerprint_b64(found && found->key ? found->key : "",
				       old, sizeof(old));
		return lg_errorf(err, LG_ESSH,
				 "%s: host key changed: %s now, %s in '%s' (a "
				 "rebuilt VM, or someone in between; remove "
				 "the old line if the VM was rebuilt)",
				 s->where, fp, old, o->known_hosts);
	}
	return lg_errorf(err, LG_ESSH,
			 "%s: unknown host key %s (not in '%s'; add it, or "
			 "use --trust-new-hosts to record new keys)",
			 s->where, fp, o->known_hosts);
}

static enum lg_err check_host_key(struct lg_ssh *s, const struct lg_ssh_opts *o,
				  char **fp_out, struct lg_error *err)
{
	size_t len = 0;
	int type = 0, check;
	const char *key = libssh2_session_hostkey(s->sess, &len, &type);
	const char *hash =
	    libssh2_hostkey_hash(s->sess, LIBSSH2_HOSTKEY_HASH_SHA256);
	LIBSSH2_KNOWNHOSTS *kh;
	struct libssh2_knownhost *found = NULL;
	char fp[80];
	enum lg_err rc;

	if (!key || !hash)
		return lg_errorf(err, LG_ESSH, "%s: no host key", s->where);
	sha256_text((const unsigned char *)hash, fp, sizeof(fp));
	if (fp_out)
		*fp_out = lg_xstrdup(fp);
	kh = libssh2_knownhost_init(s->sess);
	/* not while another session appends: half a line is a wrong key */
	pthread_mutex_lock(&known_lock);
	known_read(kh, o->known_hosts);
	pthread_mutex_unlock(&known_lock);
	type = known_key_type(type);
	check = libssh2_knownhost_checkp(
	    kh, o->host, o->port, key, len,
	    LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type,
	    &found);
	if (check == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND && o->trust_new)
		rc = known_add(kh, o, key, len, type, err);
	else
		rc = key_verdict(s, o, check, found, fp, err);
	libssh2_knownhost_free(kh);
	return rc;
}

int lg_ssh_known_check(const char *text, size_t len, const char *host, int port,
		       const char *key, size_t keylen, int hostkey_type,
		       char *old_fp, size_t n)
{
	LIBSSH2_SESSION *tmp;
	LIBSSH2_KNOWNHOSTS *kh;
	struct libssh2_knownhost *found = NULL;
	int check = -1;

	pthread_once(&ssh_init_ctl, ssh_init_once);
	tmp = libssh2_session_init();
	kh = tmp ? libssh2_knownhost_init(tmp) : NULL;
	if (n)
		*old_fp = '\0';
	if (kh) {
		lg_ssh_known_load(kh, text, len);
		check =
		    libssh2_knownhost_checkp(kh, host, port, key, keylen,
					     LIBSSH2_KNOWNHOST_TYPE_PLAIN |
						 LIBSSH2_KNOWNHOST_KEYENC_RAW |
						 known_key_type(hostkey_type),
					     &found);
		if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH && n)
			lg_ssh_fingerprint_b64(found->key ? found->key : "",
					       old_fp, n);
		libssh2_knownhost_free(kh);
	}
	if (tmp)
		libssh2_session_free(tmp);
	return check;
}

/* ------------------------------------------------------------------ */
/* Login.                                                              */

/* Offer the agent's keys one by one; 0 when one was accepted. */
static int agent_try(struct lg_ssh *s, LIBSSH2_AGENT *ag, const char *user,
		     struct lg_error *err)
{
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int rc = -1;

	while (rc && libssh2_agent_get_identity(ag, &id, prev) == 0) {
		while ((rc = libssh2_agent_userauth(ag, user, id)) ==
		       LIBSSH2_ERROR_EAGAIN)
			if (ssh_wait(s, "the login", err))
				return LG_ETIMEOUT;
		prev = id;
	}
	return rc;
}

static enum lg_err auth_agent(struct lg_ssh *s, const char *user,
			      struct lg_error *err)
{
	LIBSSH2_AGENT *ag = libssh2_agent_init(s->sess);
	int rc;

	if (!ag || libssh2_agent_connect(ag) ||
	    libssh2_agent_list_identities(ag)) {
		if (ag)
			libssh2_agent_free(ag);
		return lg_errorf(err, LG_ESSH,
				 "%s: no identity, no password and no "
				 "ssh-agent (SSH_AUTH_SOCK) to log in with",
				 s->where);
	}
	rc = agent_try(s, ag, user, err);
	libssh2_agent_disconnect(ag);
	libssh2_agent_free(ag);
	if (rc == LG_ETIMEOUT)
		return LG_ETIMEOUT;
	if (rc)
		return lg_errorf(err, LG_ESSH,
				 "%s: login refused for user '%s' (no key of "
				 "the ssh-agent was accepted)",
				 s->where, user);
	return LG_OK;
}

static enum lg_err auth(struct lg_ssh *s, const struct lg_ssh_opts *o,
			struct lg_error *err)
{
	unsigned ul = (unsigned)strlen(o->user);
	int rc;

	if (!o->identity && !o->password)
		return auth_agent(s, o->user, err);
	for (;;) {
		rc = o->password
			 ? libssh2_userauth_password_ex(
			       s->sess, o->user, ul, o->password,
			       (unsigned)strlen(o->password), NULL)
			 : libssh2_userauth_publickey_fromfile_ex(
			       s->sess, o->user, ul, NULL, o->identity, NULL);
		if (rc != LIBSSH2_ERROR_EAGAIN)
			break;
		if (ssh_wait(s, "the login", err))
			return LG_ETIMEOUT;
	}
	if (rc == LIBSSH2_ERROR_FILE)
		return lg_errorf(err, LG_ESSH,
				 "cannot use identity file '%s' (missing, "
				 "unreadable, or a passphrase is needed)",
				 o->identity);
	if (rc)
		return lg_errorf(err, LG_ESSH,
				 "%s: login refused for user '%s' (%s with "
				 "%s)",
				 s->where, o->user, ssh_msg(s->sess),
				 o->password ? "a password" : o->identity);
	return LG_OK;
}

/* ------------------------------------------------------------------ */
/* Opening and closing.                                                */

static enum lg_err handshake(struct lg_ssh *s, struct lg_error *err)
{
	int rc;

	while ((rc = libssh2_session_handshake(s->sess, s->sock)) ==
	       LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(s, "the SSH handshake", err))
			return LG_ETIMEOUT;
	if (rc)
		return lg_errorf(err, LG_ESSH, "%s: SSH handshake failed: %s",
				 s->where, ssh_msg(s->sess));
	return LG_OK;
}

enum lg_err lg_ssh_open(struct lg_ssh **out, const struct lg_ssh_opts *o,
			char **fingerprint_out, struct lg_error *err)
{
	struct lg_ssh *s = lg_xcalloc(1, sizeof(*s));
	enum lg_err rc;

	pthread_once(&ssh_init_ctl, ssh_init_once);
	*out = NULL;
	s->where = lg_xasprintf("%s:%d", o->host, o->port);
	s->connect_ms = o->connect_ms > 0 ? o->connect_ms : 15000;
	s->deadline = now_ms() + s->connect_ms;
	s->wake[0] = s->wake[1] = s->sock = -1;
	pthread_mutex_init(&s->lock, NULL);
	rc = tcp_connect(s, o, err);
	if (!rc) {
		s->sess = libssh2_session_init();
		if (!s->sess)
			lg_die("out of memory (libssh2_session_init)");
		libssh2_session_set_blocking(s->sess, 0);
		rc = handshake(s, err);
	}
	if (!rc)
		rc = check_host_key(s, o, fingerprint_out, err);
	if (!rc)
		rc = auth(s, o, err);
	if (rc) {
		lg_ssh_close(s);
		return rc;
	}
	libssh2_keepalive_config(s->sess, 0, 15);
	*out = s;
	return LG_OK;
}

/* ------------------------------------------------------------------ */
/* SFTP.                                                               */

static LIBSSH2_SFTP *sftp_start(struct lg_ssh *s, struct lg_error *err)
{
	LIBSSH2_SFTP *sf;

	while (!(sf = libssh2_sftp_init(s->sess)) &&
	       libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(s, "SFTP", err))
			return NULL;
	if (!sf)
		lg_errorf(err, LG_ESSH, "%s: cannot start SFTP: %s", s->where,
			  ssh_msg(s->sess));
	return sf;
}

static LIBSSH2_SFTP_HANDLE *sftp_open(struct lg_ssh *s, LIBSSH2_SFTP *sf,
				      const char *path, struct lg_error *err)
{
	/* sftp-server resolves a relative path against the home */
	const char *rel = strncmp(path, "~/", 2) == 0 ? path + 2 : path;
	LIBSSH2_SFTP_HANDLE *h;
	unsigned long fx;

	while (!(h = libssh2_sftp_open_ex(sf, rel, (unsigned)strlen(rel),
					  LIBSSH2_FXF_READ, 0,
					  LIBSSH2_SFTP_OPENFILE)) &&
	       libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN)
		if (ssh_wait(s, "SFTP", err))
			return NULL;
	if (h)
		return h;
	fx = libssh2_sftp_last_error(sf);
	if (fx == LIBSSH2_FX_NO_SUCH_FILE)
		lg_errorf(err, LG_ENOTFOUND, "%s: no file '%s' on the VM",
			  s->where, path);
	else if (fx == LIBSSH2_FX_PERMISSION_DENIED)
		lg_errorf(err, LG_ESSH, "%s: '%s' on the VM is not readable",
			  s->where, path);
	else
		lg_errorf(err, LG_ESSH, "%s: cannot open '%s': %s", s->where,
			  path, ssh_msg(s->sess));
	return NULL;
}

static enum lg_err sftp_slurp(struct lg_ssh *s, LIBSSH2_SFTP_HANDLE *h,
			      const char *path, size_t max, struct lg_buf *out,
			      struct lg_error *err)
{
	char chunk[16384];
	ssize_t n;

	lg_buf_init(out, max);
	for (;;) {
		n = libssh2_sftp_read(h, chunk, sizeof(chunk));
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_wait(s, "SFTP", err))
				return LG_ETIMEOUT;
			continue;
		}
		if (n < 0)
			return lg_errorf(err, LG_ESSH, "%s: cannot read '%s'",
					 s->where, path);
		if (n == 0)
			return LG_OK;
		if (lg_buf_add(out, chunk, (size_t)n))
			return lg_errorf(err, LG_ETOOBIG,
					 "%s: '%s' is larger than %zu bytes",
					 s->where, path, max);
	}
}

enum lg_err lg_ssh_read_file(struct lg_ssh *s, const char *path, size_t max,
			     struct lg_buf *out, struct lg_error *err)
{
	LIBSSH2_SFTP *sf;
	LIBSSH2_SFTP_HANDLE *h;
	enum lg_err rc;

	/* a fresh deadline: the login may have used most of the last one */
	s->deadline = now_ms() + s->connect_ms;
	sf = sftp_start(s, err);
	if (!sf)
		return err->code ? err->code : LG_ESSH;
	h = sftp_open(s, sf, path, err);
	rc = h ? sftp_slurp(s, h, path, max, out, err)
	       : (err->code ? err->code : LG_ESSH);
	while (h && libssh2_sftp_close_handle(h) == LIBSSH2_ERROR_EAGAIN &&
	       ssh_wait(s, "SFTP", err) == LG_OK)
		;
	while (libssh2_sftp_shutdown(sf) == LIBSSH2_ERROR_EAGAIN &&
	       ssh_wait(s, "SFTP", err) == LG_OK)
		;
	return rc;
}

/* ------------------------------------------------------------------ */
/* The pump: one thread per session moves bytes between each tunnel's  */
/* local socket and its channel. libssh2 is not thread-safe, so only   */
/* this thread touches the session once it started.                    */

static void set_last_error(struct lg_ssh *s, const char *fmt, ...)
    LG_PRINTF(2, 3);

static void set_last_error(struct lg_ssh *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->lock);
	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&s->lock);
}

void lg_ssh_last_error(struct lg_ssh *s, char *buf, size_t n)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, n, "%s", s->last_error);
	pthread_mutex_unlock(&s->lock);
}

static bool fatal_ssh(int rc)
{
	return rc < 0 && rc != LIBSSH2_ERROR_EAGAIN;
}

/* Open the tunnel's channel; false when it failed for good. */
static bool tun_open(struct lg_ssh *s, struct tunnel *t, bool *moved)
{
	t->ch = libssh2_channel_direct_tcpip_ex(s->sess, t->host, t->port,
						"127.0.0.1", 0);
	if (t->ch) {
		*moved = true;
		return true;
	}
	if (libssh2_session_last_errno(s->sess) == LIBSSH2_ERROR_EAGAIN &&
	    now_ms() < t->open_by)
		return true;
	set_last_error(s, "%s: the VM could not open a connection to %s:%d: %s",
		       s->where, t->host, t->port,
		       now_ms() >= t->open_by ? "timed out" : ssh_msg(s->sess));
	return false;
}

/* put bytes of buf (n pending) went out: keep the rest. */
static void drain(char *buf, size_t *n, ssize_t put, bool *moved)
{
	if (put <= 0)
		return;
	memmove(buf, buf + put, *n - (size_t)put);
	*n -= (size_t)put;
	*moved = true;
}

/* Channel -> buffer, when the buffer is empty; -1 on a session failure. */
static int chan_in(struct tunnel *t, bool *moved)
{
	ssize_t n;

	if (t->ndown || t->ch_eof)
		return 0;
	n = libssh2_channel_read(t->ch, t->down, sizeof(t->down));
	if (n > 0) {
		t->ndown = (size_t)n;
		*moved = true;
		return 0;
	}
	t->ch_eof = libssh2_channel_eof(t->ch) != 0;
	return fatal_ssh((int)n) ? -1 : 0;
}

/* Channel -> local socket. */
static int tun_down(struct tunnel *t, bool *moved)
{
	ssize_t n;

	if (chan_in(t, moved))
		return -1;
	if (t->ndown) {
		n = send(t->fd, t->down, t->ndown, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN)
			return -1;
		drain(t->down, &t->ndown, n, moved);
	}
	if (t->ch_eof && !t->ndown)
		shutdown(t->fd, SHUT_WR);
	return 0;
}

/* Local socket -> buffer, when the buffer is empty. */
static void sock_in(struct tunnel *t, bool *moved)
{
	ssize_t n;

	if (t->nup || t->fd_eof)
		return;
	n = recv(t->fd, t->up, sizeof(t->up), 0);
	if (n > 0) {
		t->nup = (size_t)n;
		*moved = true;
	}
	t->fd_eof = n == 0 || (n < 0 && errno != EAGAIN);
}

/* Local socket -> channel. */
static int tun_up(struct tunnel *t, bool *moved)
{
	ssize_t n;

	sock_in(t, moved);
	if (t->nup) {
		n = libssh2_channel_write(t->ch, t->up, t->nup);
		if (fatal_ssh((int)n))
			return -1;
		drain(t->up, &t->nup, n, moved);
	}
	if (t->fd_eof && !t->nup && !t->eof_sent &&
	    libssh2_channel_send_eof(t->ch) != LIBSSH2_ERROR_EAGAIN)
		t->eof_sent = true;
	return 0;
}

/* Both ways closed and flushed: the channel may go. */
static bool tun_done(const struct tunnel *t)
{
	return t->fd_eof && t->eof_sent && t->ch_eof && !t->ndown;
}

/* One step of a tunnel; false when it is finished and may be freed. */
static bool tun_step(struct lg_ssh *s, struct tunnel *t, bool *moved)
{
	if (!t->ch)
		return tun_open(s, t, moved);
	if (!t->closing)
		t->closing =
		    tun_down(t, moved) || tun_up(t, moved) || tun_done(t);
	if (t->closing)
		return libssh2_channel_free(t->ch) == LIBSSH2_ERROR_EAGAIN;
	return true;
}

static void tun_free(struct tunnel *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->host);
	free(t);
}

static struct tunnel *tun_new(struct lg_ssh *s, int fd, const char *host,
			      int port)
{
	struct tunnel *t = lg_xcalloc(1, sizeof(*t));

	set_nonblock(fd);
	t->fd = fd;
	t->host = lg_xstrdup(host);
	t->port = port;
	t->open_by = now_ms() + s->connect_ms;
	return t;
}

/* Take the queued tunnels and accept on every listener. */
static void pump_intake(struct lg_ssh *s)
{
	struct tunnel *q, *next;
	struct listener *l;
	char b[64];
	int fd;

	while (read(s->wake[0], b, sizeof(b)) > 0)
		;
	pthread_mutex_lock(&s->lock);
	q = s->queue;
	s->queue = NULL;
	for (l = s->listeners; l; l = l->next)
		while ((fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			struct tunnel *t = tun_new(s, fd, l->host, l->port);

			t->next = q;
			q = t;
		}
	pthread_mutex_unlock(&s->lock);
	for (; q; q = next) {
		next = q->next;
		q->next = s->tunnels;
		s->tunnels = q;
	}
}

/* Step every tunnel, freeing finished ones; true when a byte moved. */
static bool pump_tunnels(struct lg_ssh *s)
{
	struct tunnel **pp = &s->tunnels, *t;
	bool moved = false;

	while ((t = *pp)) {
		if (s->dead || !tun_step(s, t, &moved)) {
			*pp = t->next;
			tun_free(t);
		} else {
			pp = &t->next;
		}
	}
	return moved;
}

static size_t count_fds(const struct lg_ssh *s)
{
	const struct tunnel *t;
	const struct listener *l;
	size_t want = 2;

	for (l = s->listeners; l; l = l->next)
		want++;
	for (t = s->tunnels; t; t = t->next)
		want++;
	return want;
}

static short tun_events(const struct tunnel *t)
{
	short ev = t->ndown ? POLLOUT : 0;

	if (t->ch && !t->nup && !t->fd_eof)
		ev |= POLLIN;
	return ev;
}

/* The descriptors to wait on: session, wake pipe, listeners, tunnels. */
static size_t pump_fds(struct lg_ssh *s, struct pollfd **fds, size_t *cap)
{
	struct tunnel *t;
	struct listener *l;
	size_t n = 0, want;

	pthread_mutex_lock(&s->lock);
	want = count_fds(s);
	if (want > *cap) {
		*cap = want * 2;
		*fds = lg_xrealloc(*fds, *cap * sizeof(**fds));
	}
	(*fds)[n++] = (struct pollfd){s->sock, POLLIN, 0};
	(*fds)[n++] = (struct pollfd){s->wake[0], POLLIN, 0};
	for (l = s->listeners; l; l = l->next)
		(*fds)[n++] = (struct pollfd){l->fd, POLLIN, 0};
	pthread_mutex_unlock(&s->lock);
	if (libssh2_session_block_directions(s->sess) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND)
		(*fds)[0].events |= POLLOUT;
	for (t = s->tunnels; t; t = t->next)
		(*fds)[n++] = (struct pollfd){t->fd, tun_events(t), 0};
	return n;
}

static void *pump_main(void *arg)
{
	struct lg_ssh *s = arg;
	struct pollfd *fds = NULL;
	size_t cap = 0, n;
	bool moved = true, stop = false;
	int next_ka = 0;

	while (!stop) {
		n = pump_fds(s, &fds, &cap);
		poll(fds, n, moved ? 0 : 1000);
		pump_intake(s);
		moved = pump_tunnels(s);
		if (!s->dead &&
		    fatal_ssh(libssh2_keepalive_send(s->sess, &next_ka))) {
			set_last_error(s, "%s: the SSH session ended: %s",
				       s->where, ssh_msg(s->sess));
			pthread_mutex_lock(&s->lock);
			s->dead = true;
			pthread_mutex_unlock(&s->lock);
		}
		pthread_mutex_lock(&s->lock);
		stop = s->stop;
		if (s->kill_at && now_ms() >= s->kill_at && !s->dead) {
			s->dead = true;
			snprintf(s->last_error, sizeof(s->last_error),
				 "%s: tunnels closed at the grade deadline",
				 s->where);
		}
		pthread_mutex_unlock(&s->lock);
	}
	free(fds);
	return NULL;
}

enum lg_err lg_ssh_start(struct lg_ssh *s, struct lg_error *err)
{
	if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK))
		return lg_errorf(err, LG_EIO, "pipe: %s", strerror(errno));
	if (pthread_create(&s->pump, NULL, pump_main, s))
		return lg_errorf(err, LG_EIO, "cannot start a thread");
	s->started = true;
	return LG_OK;
}

void lg_ssh_kill_after(struct lg_ssh *s, long ms)
{
	pthread_mutex_lock(&s->lock);
	s->kill_at = now_ms() + ms;
	pthread_mutex_unlock(&s->lock);
}

static void wake(struct lg_ssh *s)
{
	char b = 1;

	if (write(s->wake[1], &b, 1) < 0 && errno != EAGAIN)
		lg_die("cannot wake the SSH pump: %s", strerror(errno));
}

enum lg_err lg_ssh_forward(struct lg_ssh *s, const char *host, int port,
			   int *local_port, struct lg_error *err)
{
	struct sockaddr_in a = {0};
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct listener *l;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 64) || getsockname(fd, (struct sockaddr *)&a, &al)) {
		if (fd >= 0)
			close(fd);
		return lg_errorf(err, LG_EIO, "cannot listen on 127.0.0.1: %s",
				 strerror(errno));
	}
	set_nonblock(fd);
	*local_port = ntohs(a.sin_port);
	l = lg_xcalloc(1, sizeof(*l));
	l->fd = fd;
	l->host = lg_xstrdup(host);
	l->port = port;
	pthread_mutex_lock(&s->lock);
	l->next = s->listeners;
	s->listeners = l;
	pthread_mutex_unlock(&s->lock);
	wake(s);
	return LG_OK;
}

static void free_lists(struct lg_ssh *s)
{
	struct tunnel *t;
	struct listener *l;

	while ((t = s->tunnels)) {
		s->tunnels = t->next;
		if (t->ch)
			libssh2_channel_free(t->ch);
		tun_free(t);
	}
	while ((t = s->queue)) {
		s->queue = t->next;
		tun_free(t);
	}
	while ((l = s->listeners)) {
		s->listeners = l->next;
		close(l->fd);
		free(l->host);
		free(l);
	}
}

void lg_ssh_close(struct lg_ssh *s)
{
	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		wake(s);
		pthread_join(s->pump, NULL);
	}
	if (s->sess) {
		/* a short, bounded goodbye: the peer may be gone */
		libssh2_session_set_timeout(s->sess, 500);
		libssh2_session_set_blocking(s->sess, 1);
	}
	free_lists(s);
	if (s->sess) {
		libssh2_session_disconnect(s->sess, "done");
		libssh2_session_free(s->sess);
	}
	if (s->sock >= 0)
		close(s->sock);
	if (s->wake[0] >= 0) {
		close(s->wake[0]);
		close(s->wake[1]);
	}
	pthread_mutex_destroy(&s->lock);
	free(s->where);
	free(s);
}
