// SPDX-License-Identifier: GPL-2.0-only
/* Apart from the server (ctl/control.c), so xlbctl links no loop and no server code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/client.h"
#include "ctl/wire.h"

int xlb_ctl_request(const char *path, int argc, char **argv, char **reply)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[XLB_CTL_MAX_LINE];
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd, i, err = 0;
	ssize_t n;

	*reply = NULL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	line[0] = '\0';
	for (i = 0; i < argc; i++) {
		size_t l = strlen(line);

		if (snprintf(line + l, sizeof(line) - l, "%s%s", i ? " " : "", argv[i]) >=
		    (int)(sizeof(line) - l - 1))
			return -E2BIG;
	}
	strcat(line, "\n");

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    send(fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				err = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	if (!len) {
		err = -ECONNRESET;
		goto out;
	}
	buf[len] = '\0';
	*reply = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}
