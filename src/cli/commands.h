/*
 * Entry points of the cabin subcommands, dispatched from main.
 */
#ifndef CABIN_CLI_COMMANDS_H
#define CABIN_CLI_COMMANDS_H

int cabin_cmd_info(int argc, char **argv);
int cabin_cmd_run(int argc, char **argv);
int cabin_cmd_policy(int argc, char **argv);

#endif /* CABIN_CLI_COMMANDS_H */
