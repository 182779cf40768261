/* probe.c: cursor-position reports (CSI 6 n -> CSI row ; col R) after each sample. The tty is
 * put in non-canonical, no-echo mode for the few milliseconds this takes, then restored. Samples
 * and requests go to the screen's fd, answers come from the keys' fd: when the story is piped,
 * the keys' fd is /dev/tty opened for reading only. A signal (EINTR) ends the probe at once. */
#include "probe.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Column (1-based) the cursor is at, or -1 when the terminal does not answer in time. */
static int cursor_column(int in_fd, int out_fd, int timeout_ms)
{
    if (write(out_fd, "\033[6n", 4) != 4) return -1;
    char buf[64];
    size_t n = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = timeout_ms -
                    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left <= 0) return -1;
        struct pollfd p = {in_fd, POLLIN, 0};
        if (poll(&p, 1, (int)left) <= 0) return -1;
        ssize_t got = read(in_fd, buf + n, sizeof buf - 1 - n);
        if (got <= 0) return -1;
        n += (size_t)got;
        buf[n] = 0;
        char *esc = strstr(buf, "\033[");
        int row, col;
        if (esc && strchr(esc, 'R') && sscanf(esc, "\033[%d;%dR", &row, &col) == 2) return col;
        if (n >= sizeof buf - 1) return -1;
    }
}

/* Columns the terminal uses for sample, or -1. */
static int measure(int in_fd, int out_fd, const char *sample, int timeout_ms)
{
    char out[64];
    int len = snprintf(out, sizeof out, "\r%s", sample);
    if (write(out_fd, out, (size_t)len) != len) return -1;
    int col = cursor_column(in_fd, out_fd, timeout_ms);
    if (write(out_fd, "\r\033[K", 4) != 4) return -1;
    return col < 1 ? -1 : col - 1;
}

int probe_widths(int in_fd, int out_fd, int timeout_ms, LayoutWidthProfile *prof,
                 int *ambiguous_width)
{
    *prof = (LayoutWidthProfile){2, 2, 2, 2};
    *ambiguous_width = 1;
    struct termios saved, raw;
    if (tcgetattr(in_fd, &saved) != 0) return -1;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(in_fd, TCSANOW, &raw) != 0) return -1;
    int rc = -1;
    int zwj = measure(in_fd, out_fd,
                      "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7",
                      timeout_ms);
    if (zwj > 0) { /* it answers: measure the rest */
        int flag = measure(in_fd, out_fd, "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf", timeout_ms);
        int vs16 = measure(in_fd, out_fd, "\xe2\x9d\xa4\xef\xb8\x8f", timeout_ms);
        int mod = measure(in_fd, out_fd, "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", timeout_ms);
        int amb = measure(in_fd, out_fd, "\xd1\x91", timeout_ms); /* ё: East Asian Ambiguous */
        prof->zwj_sequence = zwj;
        if (flag > 0) prof->flag = flag;
        if (vs16 > 0) prof->vs16 = vs16;
        if (mod > 0) prof->modifier = mod;
        if (amb == 2) *ambiguous_width = 2;
        rc = 0;
    }
    tcsetattr(in_fd, TCSANOW, &saved);
    return rc;
}
