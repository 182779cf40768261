/* diag: the small diagnostic that recoverable errors fill in (tmux's `char **cause` without the
 * allocation). Functions that can fail return -1 and describe why here; the message is one line
 * that names the thing, fit for "lector: <msg>" on stderr or the status line. */
#ifndef LECTOR_DIAG_H
#define LECTOR_DIAG_H

enum DiagCode {
    DIAG_OK = 0,
    DIAG_NOT_FOUND,  /* no such file or folder */
    DIAG_NOT_FILE,   /* a folder, FIFO, device or socket where a file was needed */
    DIAG_UNREADABLE, /* permission or I/O error */
    DIAG_TOO_LARGE,  /* over the size limit */
    DIAG_USAGE,      /* a bad option or argument */
    DIAG_INVALID,    /* content that cannot be used: a damaged or foreign cache file */
};

typedef struct {
    int code;      /* enum DiagCode */
    char msg[512]; /* one line, no trailing newline */
} Diag;

/* Sets code and a printf-style message; d may be NULL. */
void diag_set(Diag *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
