/* SPDX-License-Identifier: MIT */
/* ssh.h: one SSH session to a student's VM (libssh2): host key, login,
 * reading a file, and TCP tunnels from the VM for libcurl. */
#ifndef LG_SSH_H
#define LG_SSH_H

#include "lg.h"

struct lg_ssh;

/* Where and how to log in. identity and password NULL: the ssh-agent. */
struct lg_ssh_opts {
	const char *host;
	int port;
	const char *user;
	const char *identity;
	const char *password;
	const char *known_hosts; /* OpenSSH format; absent means empty */
	bool trust_new;		 /* record an unknown host key, do not fail */
	long connect_ms;	 /* TCP, handshake, login, each tunnel open */
	/* When set, the TCP connection goes here instead (a jump host's
	 * tunnel to host:port); host and port still name the host for its
	 * key and in messages. */
	const char *via_host;
	int via_port;
};

/*
 * Connect, verify the host key against opts->known_hosts (OpenSSH
 * known_hosts: plain, [host]:port and hashed entries; lines libssh2 cannot
 * read are skipped, as ssh does), and log in. Every wait ends by the
 * deadline connect_ms after the call: a host that accepts TCP and never
 * speaks SSH is LG_ETIMEOUT. Errors (LG_ESSH unless a timeout) say which
 * step failed; a changed host key names both SHA256 fingerprints and is
 * never accepted. An unknown key is an error unless trust_new, which
 * appends it to known_hosts (with "[host]:port" when the port is not 22).
 * *fingerprint_out (may be NULL) gets the host key's "SHA256:..." (caller
 * frees).
 * @test tests/integration/test_batch.sh (against a real sshd)
 */
enum lg_err lg_ssh_open(struct lg_ssh **out, const struct lg_ssh_opts *o,
			char **fingerprint_out, struct lg_error *err);

/*
 * Read a file on the VM through SFTP (nothing is written there), at most
 * max bytes. A leading "~/" means the login's home. A missing file is
 * LG_ENOTFOUND. Only before lg_ssh_start.
 */
enum lg_err lg_ssh_read_file(struct lg_ssh *s, const char *path, size_t max,
			     struct lg_buf *out, struct lg_error *err);

/*
 * Hand the session to its pump thread: from now on it serves tunnels
 * only, and the functions below may be called from any thread.
 * A tunnel the VM refuses (nothing listens at host:port there) shows as
 * a connection closed before any byte; lg_ssh_last_error tells why.
 */
enum lg_err lg_ssh_start(struct lg_ssh *s, struct lg_error *err);

/*
 * Listen on 127.0.0.1 (port chosen by the system, in *local_port); every
 * connection accepted is tunnelled to host:port through a direct-tcpip
 * channel. Only this process's clients are meant to connect; the port
 * lives as long as the session.
 */
enum lg_err lg_ssh_forward(struct lg_ssh *s, const char *host, int port,
			   int *local_port, struct lg_error *err);

/* After ms, close every tunnel and refuse new ones, so that whatever
 * still waits on the VM fails at once (the grade's deadline). */
void lg_ssh_kill_after(struct lg_ssh *s, long ms);

/* The last tunnel or session failure, or "" (a copy, into buf). */
void lg_ssh_last_error(struct lg_ssh *s, char *buf, size_t n);

/*
 * How known_hosts text judges a host key (the raw blob, keylen bytes, of
 * libssh2 host key type hostkey_type) for host:port, as lg_ssh_open does:
 * a LIBSSH2_KNOWNHOST_CHECK_* value; on a mismatch old_fp (n bytes) gets
 * the recorded key's "SHA256:..." fingerprint. For tests and fuzzing.
 */
int lg_ssh_known_check(const char *text, size_t len, const char *host, int port,
		       const char *key, size_t keylen, int hostkey_type,
		       char *old_fp, size_t n);

/* Stop the pump, close every tunnel and the session. NULL is fine. */
void lg_ssh_close(struct lg_ssh *s);

#endif
