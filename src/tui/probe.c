/* probe.c: cursor-position reports (CSI 6 n -> CSI row ; col R) after each sample. The tty is
 * put in non-canonical, no-echo mode for the few milliseconds this takes, then restored. Samples
 * and requests go to the screen's fd, answers come from the keys' fd: when the story is piped,
 * the keys' fd is /dev/tty opened for reading only. A signal (EINTR) ends the probe at once. */
#include "probe.h"

#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static void keep_typed(ProbeTyped *typed, const char *bytes, size_t n)
{
    size_t room = sizeof typed->bytes - typed->len;
    if (n > room) n = room;
    memcpy(typed->bytes + typed->len, bytes, n);
    typed->len += n;
}

int probe_cursor_report(const char *s, size_t n, int *col, size_t *len)
{
    size_t i = 0;
    long value[2] = {0, 0};
    if (i < n && s[i] != '\033') return -1;
    if (++i < n && s[i] != '[') return -1;
    for (int part = 0; part < 2; part++) {
        size_t digits = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9' && digits < 6; i++, digits++)
            value[part] = value[part] * 10 + (s[i] - '0');
        if (i >= n) return 0;
        if (!digits || s[i] != (part ? 'R' : ';')) return -1;
    }
    *col = (int)value[1];
    *len = i + 1;
    return 1;
}

enum { TIMED_OUT = -1, FAILED = -2 };

/* Column (1-based) the cursor is at; TIMED_OUT when the terminal does not answer in time (it may
 * still, later); FAILED on a write error, end of input or a signal. Bytes that are not the
 * answer are keys typed meanwhile: into *typed. */
static int cursor_column(int in_fd, int out_fd, int timeout_ms, ProbeTyped *typed)
{
    if (write(out_fd, "\033[6n", 4) != 4) return FAILED;
    char buf[64];
    size_t n = 0;
    bool grace = false;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        /* Keys before the first ESC, and an ESC that starts no report, are typed keys. */
        size_t i = 0;
        int col = -1;
        while (i < n) {
            size_t len = 0;
            int r = buf[i] == '\033' ? probe_cursor_report(buf + i, n - i, &col, &len) : -1;
            if (r == 0) break; /* wait for the rest */
            if (r == 1) {
                keep_typed(typed, buf, i);
                keep_typed(typed, buf + i + len, n - i - len); /* typed after the answer */
                return col;
            }
            i++;
        }
        keep_typed(typed, buf, i);
        memmove(buf, buf + i, n - i);
        n -= i; /* what is left is the start of a report */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = timeout_ms -
                    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left <= 0 && n > 0 && !grace) { /* the answer has begun: its rest is on the way */
            grace = true;
            timeout_ms += 500;
            continue;
        }
        if (left <= 0) return TIMED_OUT; /* a report begun and never ended is not keys */
        struct pollfd p = {in_fd, POLLIN, 0};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0) return FAILED; /* a signal: the caller leaves at once */
        if (ready == 0) continue;
        ssize_t got = read(in_fd, buf + n, sizeof buf - n);
        if (got <= 0) return FAILED;
        n += (size_t)got;
    }
}

/* Columns the terminal uses for sample (1 to 4); 0 when the answer makes no sense as a width;
 * TIMED_OUT or FAILED as cursor_column. */
static int measure(int in_fd, int out_fd, const char *sample, int timeout_ms, ProbeTyped *typed)
{
    char out[64];
    int len = snprintf(out, sizeof out, "\r%s", sample);
    if (write(out_fd, out, (size_t)len) != len) return FAILED;
    int col = cursor_column(in_fd, out_fd, timeout_ms, typed);
    if (write(out_fd, "\r\033[K", 4) != 4) return FAILED;
    if (col < 0) return col;
    return col >= 2 && col <= 5 ? col - 1 : 0;
}

int probe_widths(int in_fd, int out_fd, int timeout_ms, LayoutWidthProfile *prof,
                 int *ambiguous_width, ProbeTyped *typed)
{
    static const char *const samples[] = {
        "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7", /* ZWJ family */
        "\xf0\x9f\x87\xb0\xf0\x9f\x87\xbf",                                         /* a flag */
        "\xe2\x9d\xa4\xef\xb8\x8f",                                                 /* VS16 */
        "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd", /* a skin tone */
        "\xd1\x91",                         /* ё: East Asian Ambiguous */
    };
    enum { NSAMPLES = sizeof samples / sizeof *samples };
    typed->len = 0;
    typed->answer_pending = false;
    *prof = (LayoutWidthProfile){2, 2, 2, 2};
    *ambiguous_width = 1;
    struct termios saved, raw;
    if (tcgetattr(in_fd, &saved) != 0) return -1;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(in_fd, TCSANOW, &raw) != 0) return -1;
    /* One unanswered sample ends the probe: an answer that comes after it would be taken for the
     * next sample's. It may still come, as keys: the caller is told to look out for it. */
    int width[NSAMPLES] = {0};
    for (int k = 0; k < NSAMPLES; k++) {
        width[k] = measure(in_fd, out_fd, samples[k], timeout_ms, typed);
        typed->answer_pending = width[k] == TIMED_OUT;
        if (width[k] < 0) break;
    }
    tcsetattr(in_fd, TCSANOW, &saved);
    if (width[0] <= 0) return -1;
    prof->zwj_sequence = width[0];
    if (width[1] > 0) prof->flag = width[1];
    if (width[2] > 0) prof->vs16 = width[2];
    if (width[3] > 0) prof->modifier = width[3];
    if (width[4] == 2) *ambiguous_width = 2;
    return 0;
}
