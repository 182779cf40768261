#include "lector/diag.h"

#include <stdarg.h>
#include <stdio.h>

void diag_set(Diag *d, int code, const char *fmt, ...)
{
    if (!d) return;
    d->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}
