/* SPDX-License-Identifier: MIT */
/* batch_cli.h: the instructor's commands: roster, batch, merge. */
#ifndef LG_BATCH_CLI_H
#define LG_BATCH_CLI_H

/*
 * Run argv[1] when it is one of the instructor's commands (argv[0] is the
 * program); they have options of their own, so they come first on the
 * command line. Returns the exit status, or -1 when argv[1] is another
 * command (main goes on with its own).
 */
int lg_batch_cli(int argc, char **argv);

#endif
