/* SPDX-License-Identifier: GPL-2.0-only */
/* `xlbctl master`: the master of a ZooKeeper-mode fleet, as PATH/master says, as a client sees it. */
#ifndef XLB_CLI_MASTER_H
#define XLB_CLI_MASTER_H

/* argv[0] is "master". The exit status: 0 a master, 3 none, 1 no answer, 2 bad usage. */
int xlb_master_main(int argc, char **argv);

#endif /* XLB_CLI_MASTER_H */
