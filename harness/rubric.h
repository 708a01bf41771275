/* SPDX-License-Identifier: MIT */
/* rubric.h: rubric.yaml, the grading policy that instructors edit. */
#ifndef LG_RUBRIC_H
#define LG_RUBRIC_H

#include "lg.h"

/* The most points one assertion can be worth: a bound that keeps every
 * total exact in a double and within what reports print. */
#define LG_RUBRIC_MAX_POINTS 1000

/* Points for one assertion of an objective. */
struct lg_rubric_points {
	char *key;
	double points;
};

/* A parameter: namespace names, tolerances, timing windows, limits. */
struct lg_rubric_param {
	char *key;
	char *value; /* as written; read with lg_rubric_param_*() */
};

struct lg_rubric_objective {
	char *id; /* kebab-case check id */
	int number;
	char *title_es;
	char *title_en;
	bool enabled; /* `optional: true` objectives may be disabled */
	struct lg_rubric_points *points;
	size_t npoints;
	struct lg_rubric_param *params;
	size_t nparams;
};

/*
 * struct lg_rubric: owns everything; lg_rubric_release() frees it.
 * Top-level `params` apply to every objective unless it overrides them.
 * @test tests/unit/test_rubric.c
 */
struct lg_rubric {
	char *path;
	char *version;
	struct lg_rubric_param *params; /* global */
	size_t nparams;
	struct lg_rubric_objective *objectives;
	size_t nobjectives;
};

/*
 * Load and validate: every key known (objective ids are the checks', points
 * keys their assertions', parameters in a schema), every value typed and
 * ranged. Every mistake is reported as "FILE:LINE:COL: what is
 * wrong" in err with LG_ECONFIG (LG_EPARSE for YAML syntax, LG_EIO when the
 * file cannot be read). On error *r is left empty.
 */
enum lg_err lg_rubric_load(struct lg_rubric *r, const char *path,
			   struct lg_error *err);
enum lg_err lg_rubric_load_string(struct lg_rubric *r, const char *text,
				  const char *name, struct lg_error *err);
void lg_rubric_release(struct lg_rubric *r);

/*
 * The rubric labgrade reads when the user names none: ./rubric.yaml when
 * readable, else the installed copy. Returns given when not NULL.
 */
const char *lg_rubric_default_path(const char *given);

/*
 * LG_OK when every check in the registry has an objective in r; else
 * LG_ECONFIG naming every one that has none (a rubric written for another
 * labgrade would grade out of the wrong total).
 * @test tests/unit/test_rubric.c
 */
enum lg_err lg_rubric_covers(const struct lg_rubric *r, struct lg_error *err);

/* The objective with this id, or NULL. Borrowed from r. */
const struct lg_rubric_objective *lg_rubric_find(const struct lg_rubric *r,
						 const char *id);

/* Points for key, or -1 when the rubric does not name it. */
double lg_rubric_points(const struct lg_rubric_objective *o, const char *key);

/*
 * A parameter: the objective's own value, else the global one, else def.
 * Every key and value was checked against the parameter schema at load
 * time (harness/rubric.c param_defs); these still return def when the text
 * does not parse as the asked type.
 */
const char *lg_rubric_param_str(const struct lg_rubric *r,
				const struct lg_rubric_objective *o,
				const char *key, const char *def);
double lg_rubric_param_num(const struct lg_rubric *r,
			   const struct lg_rubric_objective *o, const char *key,
			   double def);

#endif
