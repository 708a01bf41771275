/* SPDX-License-Identifier: MIT */
/* test_ssh.c: unit tests of the known_hosts discipline (harness/ssh.c);
 * the session itself is tested against a real sshd in
 * tests/integration/test_batch.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libssh2.h>
#include <openssl/evp.h>

#include "../../harness/ssh.h"

/* Two ed25519 host keys and their fingerprints, as ssh-keygen -l says. */
#define KEY_A                                                                  \
	"AAAAC3NzaC1lZDI1NTE5AAAAIIiuLrc0OKvn2ja2gwHN+OrpggTizs1t5K3h2HOZIqmB"
#define FP_A "SHA256:ZV+UVIzF8vxI8loVH2m88uoXJl6ZVpxuWgfjPoTVd08"
#define KEY_B                                                                  \
	"AAAAC3NzaC1lZDI1NTE5AAAAIGKUZoqiFysOkEOVU6kN4aCLquZt/uNX7BnzcOYF6X8B"

/* "[master]:2222 ssh-ed25519 KEY_A", hashed by ssh-keygen -H */
#define HASHED_A                                                               \
	"|1|bJvTFGVVT6+AQ7PTZmRn9qCYgWo=|SAprQTe1NjOGh/t8TBQcWCHC9nM= "        \
	"ssh-ed25519 " KEY_A

/* The check of the raw blob of b64 against text for host:port. */
static int check(const char *text, const char *host, int port, const char *b64,
		 char *old, size_t n)
{
	unsigned char raw[128];
	int len =
	    EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)strlen(b64));

	assert_true(len > 0);
	/* ed25519 blobs are 51 bytes: base64 of 68 characters, no padding */
	return lg_ssh_known_check(text, strlen(text), host, port,
				  (const char *)raw, (size_t)len,
				  LIBSSH2_HOSTKEY_TYPE_ED25519, old, n);
}

static void test_ssh__match_notfound_port(void **state)
{
	const char *kh = "[127.0.0.1]:2222 ssh-ed25519 " KEY_A "\n";
	char old[80];

	(void)state;
	assert_int_equal(check(kh, "127.0.0.1", 2222, KEY_A, old, sizeof(old)),
			 LIBSSH2_KNOWNHOST_CHECK_MATCH);
	/* another port of the same host is another host */
	assert_int_equal(check(kh, "127.0.0.1", 2200, KEY_A, old, sizeof(old)),
			 LIBSSH2_KNOWNHOST_CHECK_NOTFOUND);
	/* no trailing newline: the last line still counts in full */
	assert_int_equal(check("[127.0.0.1]:2222 ssh-ed25519 " KEY_A,
			       "127.0.0.1", 2222, KEY_A, old, sizeof(old)),
			 LIBSSH2_KNOWNHOST_CHECK_MATCH);
}

static void test_ssh__changed_key_names_old_fingerprint(void **state)
{
	const char *kh = "# class VMs\nmaster ssh-ed25519 " KEY_A "\n";
	char old[80];

	(void)state;
	assert_int_equal(check(kh, "master", 22, KEY_B, old, sizeof(old)),
			 LIBSSH2_KNOWNHOST_CHECK_MISMATCH);
	assert_string_equal(old, FP_A);
}

static void test_ssh__hashed_and_bad_lines(void **state)
{
	/* a line libssh2 cannot read must not hide the ones after it */
	const char *kh =
	    "bad line without a key\n"
	    "host sk-ssh-ed25519@openssh.com AAAAGnNr\n" HASHED_A "\n";
	char old[80];

	(void)state;
	assert_int_equal(check(kh, "master", 2222, KEY_A, old, sizeof(old)),
			 LIBSSH2_KNOWNHOST_CHECK_MATCH);
	assert_int_equal(check(kh, "master", 2222, KEY_B, old, sizeof(old)),
			 LIBSSH2_KNOWNHOST_CHECK_MISMATCH);
	assert_string_equal(old, FP_A);
	assert_int_equal(check("", "master", 2222, KEY_A, old, sizeof(old)),
			 LIBSSH2_KNOWNHOST_CHECK_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ssh__match_notfound_port),
	    cmocka_unit_test(test_ssh__changed_key_names_old_fingerprint),
	    cmocka_unit_test(test_ssh__hashed_and_bad_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
