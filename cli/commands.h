/* SPDX-License-Identifier: Apache-2.0 */
/* One file a subcommand; each parses its own options (getopt_long, with
 * --help), calls the library and prints.  Each returns the process exit
 * status: the workload's for `run`, 125 when cordon itself failed, 2 for a
 * usage error.  */
#ifndef CORDON_CLI_COMMANDS_H
#define CORDON_CLI_COMMANDS_H

#include <stdbool.h>

#include "common/error.h"

#define EXIT_CORDON_FAILED 125
#define EXIT_USAGE 2

int cli_run (int argc, char **argv);
int cli_spec (int argc, char **argv);
int cli_check (int argc, char **argv);
int cli_version (int argc, char **argv);
int cli_audit (int argc, char **argv);
int cli_image (int argc, char **argv);
int cli_attach (int argc, char **argv);
int cli_profile (int argc, char **argv);
int cli_ps (int argc, char **argv);
int cli_inspect (int argc, char **argv);
int cli_logs (int argc, char **argv);
int cli_stop (int argc, char **argv);
int cli_kill (int argc, char **argv);
int cli_wait (int argc, char **argv);
int cli_rm (int argc, char **argv);
int cli_exec (int argc, char **argv);
/* The OCI runtime command line (cli/oci.h).  */
int cli_oci_create (int argc, char **argv);
int cli_oci_start (int argc, char **argv);
int cli_oci_state (int argc, char **argv);
int cli_oci_kill (int argc, char **argv);
int cli_oci_delete (int argc, char **argv);
int cli_oci_list (int argc, char **argv);
int cli_oci_ps (int argc, char **argv);
int cli_oci_features (int argc, char **argv);

/* --log FILE: errors also go there (JSON lines with `json`).  */
int cli_log_open (const char *path, bool json);
int cli_network (int argc, char **argv);
/* network connect|disconnect (cli/network-connect.c); argv[0] is the verb.  */
int cli_network_connect (const char *root_dir, int argc, char **argv);
int cli_network_disconnect (const char *root_dir, int argc, char **argv);
int cli_create (int argc, char **argv);
int cli_start (int argc, char **argv);
int cli_pause (int argc, char **argv);
int cli_resume (int argc, char **argv);
int cli_stats (int argc, char **argv);
int cli_cp (int argc, char **argv);
int cli_volume (int argc, char **argv);
int cli_system (int argc, char **argv);

/* Prints "cordon: MESSAGE" once on stderr and returns EXIT_CORDON_FAILED.  */
int cli_fail (struct cordon_error *err);

#endif
