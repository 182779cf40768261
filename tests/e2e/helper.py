#!/usr/bin/env python3
"""Terminal helpers for the e2e suites (test_faults.sh, test_tmux.sh): a pty relay between tmux
and lector, a terminal that vanishes, resize storms, and a screen checker. Usage: helper.py MODE
ARGS... (see the end of this file)."""
import os, sys, time, select, signal, fcntl, termios, struct, tty, random

def relay(log_path, cmd, late=False, keys=b'', drop=True, raw_path=None):
    """Runs cmd as the pane's program, on a pty of ours that passes everything through except
    the cursor-position requests (CSI 6 n), which it drops: a terminal that never answers the
    width probe. late: it answers after all, 0.5 s later, when the probe has given up (a slow
    link). keys: typed (written to the program) as the first request is dropped, so that they come
    while the probe waits. drop=False: the requests pass too (the terminal answers them), and
    every byte the program writes is also appended to raw_path as it comes, for counting.
    Logs, with times: the child's pid, each request dropped, each late answer, the moment curses
    took the screen, and at the end the exit status and whether the pty has icanon and echo
    again."""
    log = open(log_path, 'w', buffering=1)
    t0 = time.monotonic()
    def note(s): log.write('%.3f %s\n' % (time.monotonic() - t0, s))
    size = fcntl.ioctl(0, termios.TIOCGWINSZ, b'\0' * 8)
    m, s = os.openpty()
    fcntl.ioctl(s, termios.TIOCSWINSZ, size)
    name = os.ttyname(s)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(s, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2): os.dup2(s, fd)
        os.close(m); os.close(s)
        os.execvp(cmd[0], cmd)
    os.close(s)
    note('pid %d' % pid)
    saved = termios.tcgetattr(0)
    tty.setraw(0)
    REQ = b'\x1b[6n'
    held, screen, answers = b'', False, []
    raw = open(raw_path, 'wb', buffering=0) if raw_path else None
    try:
        while True:
            r, _, _ = select.select([0, m], [], [], 0.05)
            if answers and time.monotonic() >= answers[0]:
                answers.pop(0); os.write(m, b'\x1b[12;33R'); note('late answer')
            if not r and held:
                os.write(1, held); held = b''
            if 0 in r:
                d = os.read(0, 4096)
                if d: os.write(m, d)
            if m in r:
                try: d = os.read(m, 65536)
                except OSError: d = b''
                if not d: break
                if raw: raw.write(d)
                if not drop:
                    if not screen and b'\x1b[?1049h' in d:
                        screen = True; note('screen')
                    os.write(1, d); continue
                d = held + d
                # the screen taken before the first request in these bytes: noted first
                at = d.find(b'\x1b[?1049h')
                if not screen and at >= 0 and (d.find(REQ) < 0 or at < d.find(REQ)):
                    screen = True; note('screen')
                n = d.count(REQ)
                d, held = d.replace(REQ, b''), b''
                for k in (3, 2, 1):  # a request cut in two by the read
                    if d.endswith(REQ[:k]): held, d = d[-k:], d[:-k]; break
                for _ in range(n): note('request dropped')
                if late: answers += [time.monotonic() + 0.5] * n
                if n and keys: os.write(m, keys); keys = b''; note('keys typed')
                if not screen and b'\x1b[?1049h' in d:
                    screen = True; note('screen')
                os.write(1, d)
    finally:
        termios.tcsetattr(0, termios.TCSANOW, saved)
    _, st = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(st)
    fd = os.open(name, os.O_RDWR | os.O_NOCTTY)
    lflag = termios.tcgetattr(fd)[3]
    note('exit %d icanon=%d echo=%d' % (code if code >= 0 else 128 - code,
         bool(lflag & termios.ICANON), bool(lflag & termios.ECHO)))

def vanish(keys, cmd):
    """Runs cmd on an 80x24 pty that is not its controlling terminal, types keys once the screen
    is up and settled, then closes the pty's other side: the terminal is gone, and no SIGHUP
    comes. Prints 'exit N' when cmd ends within 10 s (times LECTOR_E2E_PATIENCE), else
    'running, N ticks' of CPU it used."""
    slow = int(os.environ.get('LECTOR_E2E_PATIENCE', '1'))
    m, s = os.openpty()
    fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.setsid()  # the slave is inherited, not opened: it does not become the ctty
        os.dup2(s, 0); os.dup2(s, 1); os.close(m); os.close(s)
        os.execvp(cmd[0], cmd)
    os.close(s)
    def read_until(seconds, want=None):  # want: these bytes seen; None: 200 ms of quiet
        buf, end, quiet = b'', time.monotonic() + seconds, time.monotonic()
        while time.monotonic() < end:
            if select.select([m], [], [], 0.05)[0]:
                buf += os.read(m, 65536); quiet = time.monotonic()
                if want and want in buf: return True
            elif want is None and time.monotonic() - quiet > 0.2: return True
        return False
    print('screen' if read_until(30 * slow, b'\x1b[?1049h') else 'no screen')
    read_until(10 * slow)
    os.write(m, keys.encode())
    read_until(10 * slow)
    def cpu():
        f = open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()
        return int(f[11]) + int(f[12])
    c0 = cpu()
    os.close(m)
    end = time.monotonic() + 10 * slow
    while time.monotonic() < end:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p:
            print('exit %d' % os.waitstatus_to_exitcode(st)); return
        c1 = cpu()
        time.sleep(0.05)
    print('running, %d ticks' % (c1 - c0))
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0)

def winch(tty_path, seed, n, sizes):
    """Sets the size of the pty at tty_path n times, to sizes picked at random (COLSxROWS), 3 ms
    apart, straight on the tty: the kernel sends SIGWINCH each time."""
    fd = os.open(tty_path, os.O_RDWR | os.O_NOCTTY)
    rnd = random.Random(seed)
    for _ in range(n):
        cols, rows = map(int, rnd.choice(sizes).split('x'))
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
        time.sleep(0.003)

def is_slice(wrap_path, screen_path):
    """Exit 0 when the screen's rows (trimmed; blank rows after the story left out) are
    consecutive lines of the wrapped story (trimmed)."""
    w = [l.strip() for l in open(wrap_path, encoding='utf-8')]
    s = [l.strip() for l in open(screen_path, encoding='utf-8')]
    while s and not s[-1]: s.pop()
    return 0 if any(s) and any(w[i:i + len(s)] == s for i in range(len(w) - len(s) + 1)) else 1

if __name__ == '__main__':
    if sys.argv[1] == 'relay': relay(sys.argv[2], sys.argv[3:])
    if sys.argv[1] == 'relay-late': relay(sys.argv[2], sys.argv[3:], late=True)
    if sys.argv[1] == 'relay-keys': relay(sys.argv[2], sys.argv[3:], keys=b'\x1b[B' * 3)
    if sys.argv[1] == 'relay-pass': relay(sys.argv[2], sys.argv[4:], drop=False, raw_path=sys.argv[3])
    if sys.argv[1] == 'vanish': vanish(sys.argv[2], sys.argv[3:])
    if sys.argv[1] == 'slice': sys.exit(is_slice(sys.argv[2], sys.argv[3]))
    if sys.argv[1] == 'winch': winch(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:])
