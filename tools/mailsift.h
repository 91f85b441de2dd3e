/* SPDX-License-Identifier: MIT */
#ifndef MAILSIFT_H
#define MAILSIFT_H

/* The mailsift command-line tool: one function per subcommand, each
   taking the arguments after the subcommand name and returning the exit
   status (0 success, 1 runtime failure, 2 usage or input error). */

#define MAILSIFT_EXIT_OK    0
#define MAILSIFT_EXIT_FAIL  1
#define MAILSIFT_EXIT_USAGE 2

int cmd_dump(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* Prints "mailsift: " and the message to stderr, client text made
   printable. */
void tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
