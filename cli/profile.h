/* SPDX-License-Identifier: Apache-2.0 */
/* cordon profile SUBCOMMAND: one file each (cli/profile-*.c).  */
#ifndef CORDON_CLI_PROFILE_H
#define CORDON_CLI_PROFILE_H

int cli_profile_lint (int argc, char **argv);
int cli_profile_explain (int argc, char **argv);
int cli_profile_diff (int argc, char **argv);
int cli_profile_apparmor (int argc, char **argv);
int cli_profile_install_apparmor (int argc, char **argv);
int cli_profile_learn (int argc, char **argv);

#endif
