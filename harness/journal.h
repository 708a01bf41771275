/* SPDX-License-Identifier: MIT */
/* journal.h: the progress journal, the passes recorded in the cluster. */
#ifndef LG_JOURNAL_H
#define LG_JOURNAL_H

#include <time.h>

#include "cluster.h"
#include "lg.h"

/*
 * The lab's steps overwrite each other, so a pass is remembered: ConfigMap
 * LG_JOURNAL_NAME in the lab's namespace (bookinfo unless configured) holds
 * one data key per objective id, whose value is a small JSON object
 *   {"time": "2026-11-25T14:02:00Z", "points": 10, "max_points": 10,
 *    "evidence": "50/50 split observed 47/53"}
 * Recording it is the only write labgrade ever makes to a cluster.
 * docs/internals/journal.md has the details.
 */
#define LG_JOURNAL_NAME "labgrade-progress"
#define LG_JOURNAL_DEFAULT_NS "bookinfo"
/* Evidence is cut to this many bytes (at a UTF-8 boundary) when recorded. */
#define LG_JOURNAL_EVIDENCE_MAX 200

/* One objective's recorded pass. Strings are owned by the entry. */
struct lg_journal_entry {
	char *id;    /* objective id (the data key) */
	time_t when; /* UTC seconds; 0 when recording means "now" */
	char *time;  /* RFC 3339 UTC as stored; NULL when recording */
	double points;
	double max_points;
	char *evidence; /* one line, already cut and scrubbed */
};

/*
 * struct lg_journal: what the ConfigMap held when read. An all-zero struct
 * (or LG_JOURNAL_INIT) is an empty journal; lg_journal_release() frees
 * everything and leaves it empty.
 * @test tests/unit/test_journal.c
 */
struct lg_journal {
	bool exists; /* the ConfigMap was there */
	char *resource_version;
	struct lg_journal_entry *entries; /* sorted by id, as the API sends */
	size_t nentries;
	char **notes; /* entries skipped as malformed, one sentence each */
	size_t nnotes;
};

#define LG_JOURNAL_INIT                                                        \
	{                                                                      \
		0                                                              \
	}

/*
 * Read the journal of namespace ns (NULL: LG_JOURNAL_DEFAULT_NS) into out,
 * which must be empty (zeroed) and is the caller's to release, also after an
 * error. A missing ConfigMap is an empty journal (exists false), not an
 * error. A value that is not a well-formed entry is skipped and explained in
 * out->notes; it never fails the read. Errors: those of lg_cluster_get()
 * (LG_EFORBIDDEN when RBAC forbids reading ConfigMaps, LG_EPARSE for a body
 * that is no ConfigMap, ...). Blocks for one request.
 */
enum lg_err lg_journal_read(struct lg_cluster *c, const char *ns,
			    struct lg_journal *out, struct lg_error *err);

/* The entry for objective id, or NULL. Borrowed from j. */
const struct lg_journal_entry *lg_journal_find(const struct lg_journal *j,
					       const char *id);

/*
 * Record e as objective id's entry (e->id and e->time are ignored; e->when
 * 0 means now), replacing any earlier entry for id and keeping every other
 * key (unconditionally: callers record passes only, so the newest wins). The
 * evidence is cut to LG_JOURNAL_EVIDENCE_MAX bytes, made one line, and long
 * token-like runs are replaced by "[redacted]" so that no secret lands in the
 * cluster. Writes only ConfigMap LG_JOURNAL_NAME: created with POST if absent,
 * else replaced with PUT under the resourceVersion it was read at; a 409
 * (someone else wrote meanwhile, or created it first) means read again and
 * retry, up to 8 attempts with a short randomised backoff, so concurrent runs
 * lose no entry. Errors: LG_EUSAGE for an id that cannot be a ConfigMap key;
 * LG_ECONFLICT when every attempt conflicted; LG_EFORBIDDEN and the rest as
 * lg_cluster_request() gives them; the caller reports them (the grade itself
 * stands). Blocks for up to 2 x 8 requests plus under 1 s of backoff in all.
 * Reentrant: any number of threads and processes may record at once.
 */
enum lg_err lg_journal_record(struct lg_cluster *c, const char *ns,
			      const char *id, const struct lg_journal_entry *e,
			      struct lg_error *err);

/* Free what the entry owns; it is then empty. */
void lg_journal_entry_release(struct lg_journal_entry *e);
/* Free everything; j is then an empty journal again. */
void lg_journal_release(struct lg_journal *j);

/*
 * Format t as RFC 3339 UTC ("2026-11-25T14:02:00Z") into out (at least
 * 21 bytes), and parse it back: lg_journal_parse_time() accepts
 * "YYYY-MM-DDTHH:MM:SS" with optional fraction and "Z" or "+hh:mm" /
 * "-hh:mm", and returns false for anything else.
 */
void lg_journal_format_time(time_t t, char out[static 21]);
bool lg_journal_parse_time(const char *s, time_t *out);

#endif
