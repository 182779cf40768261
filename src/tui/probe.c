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

/* What has come from the terminal and is not taken yet: the start of the next report, or more
 * (reports and keys that came in the same read). */
typedef struct {
    char buf[256];
    size_t n;
} Incoming;

/* Column (1-based) of the next cursor-position report; TIMED_OUT when it does not come in
 * timeout_ms (it may still, later); FAILED on end of input or a signal. Bytes before it that
 * are not a report are keys typed meanwhile: into *typed. What comes after it stays in *in for
 * the next report. */
static int next_report(int in_fd, Incoming *in, int timeout_ms, ProbeTyped *typed)
{
    bool grace = false;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        /* Keys before the first ESC, and an ESC that starts no report, are typed keys. */
        size_t i = 0;
        int col = -1;
        while (i < in->n) {
            size_t len = 0;
            int r =
                in->buf[i] == '\033' ? probe_cursor_report(in->buf + i, in->n - i, &col, &len) : -1;
            if (r == 0) break; /* wait for the rest */
            if (r == 1) {
                keep_typed(typed, in->buf, i);
                memmove(in->buf, in->buf + i + len, in->n - i - len);
                in->n -= i + len;
                return col;
            }
            i++;
        }
        keep_typed(typed, in->buf, i);
        memmove(in->buf, in->buf + i, in->n - i);
        in->n -= i; /* what is left is the start of a report */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = timeout_ms -
                    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        if (left <= 0 && in->n > 0 && !grace) { /* the answer has begun: its rest is on the way */
            grace = true;
            timeout_ms += 500;
            continue;
        }
        if (left <= 0) return TIMED_OUT; /* a report begun and never ended is not keys */
        struct pollfd p = {in_fd, POLLIN, 0};
        int ready = poll(&p, 1, (int)left);
        if (ready < 0) return FAILED; /* a signal: the caller leaves at once */
        if (ready == 0) continue;
        if (in->n == sizeof in->buf) { /* no report this long: keys */
            keep_typed(typed, in->buf, in->n);
            in->n = 0;
        }
        ssize_t got = read(in_fd, in->buf + in->n, sizeof in->buf - in->n);
        if (got <= 0) return FAILED;
        in->n += (size_t)got;
    }
}

/* Columns the terminal used for a sample, from the column the cursor stood at after it (1 to
 * 4; 0 when the answer makes no sense as a width), or TIMED_OUT or FAILED as next_report. */
static int sample_width(int col)
{
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
    typed->answers_pending = 0;
    *prof = (LayoutWidthProfile){2, 2, 2, 2};
    *ambiguous_width = 1;
    struct termios saved, raw;
    if (tcgetattr(in_fd, &saved) != 0) return -1;
    raw = saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(in_fd, TCSANOW, &raw) != 0) return -1;
    /* Every sample, each followed by its request and erased, in one write: the terminal answers
     * in order, and the reader's first screen waits one round trip, not five (over ssh, 50 ms
     * each). The first answer left unanswered ends the probe: the answers that may still come
     * after it are counted for the caller, who drops them when they come as keys. */
    char out[512];
    size_t len = 0;
    for (int k = 0; k < NSAMPLES; k++)
        len += (size_t)snprintf(out + len, sizeof out - len, "\r%s\033[6n\r\033[K", samples[k]);
    int width[NSAMPLES] = {0};
    if (write(out_fd, out, len) != (ssize_t)len) {
        width[0] = FAILED;
    } else {
        Incoming in = {.n = 0};
        for (int k = 0; k < NSAMPLES; k++) {
            width[k] = sample_width(next_report(in_fd, &in, timeout_ms, typed));
            if (width[k] == TIMED_OUT) typed->answers_pending = NSAMPLES - k;
            if (width[k] < 0) {
                in.n = 0; /* a report begun and never ended is not keys */
                break;
            }
        }
        keep_typed(typed, in.buf, in.n); /* typed after the last answer */
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
