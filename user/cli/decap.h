/* SPDX-License-Identifier: GPL-2.0-only */
/* `xlbctl decap`: attach, detach and read bpf/decap.bpf.c, the backends' tunnel endpoint. */
#ifndef XLB_CLI_DECAP_H
#define XLB_CLI_DECAP_H

/* Where the maps and the XDP link are pinned, one folder per interface under it. */
#define XLB_DECAP_PIN_ROOT "/sys/fs/bpf/xlb-decap"

/* argv[0] is "decap". Returns the process exit status: 0 ok, 1 failed, 2 bad usage. */
int xlb_decap_main(int argc, char **argv);

#endif /* XLB_CLI_DECAP_H */
