#!/usr/bin/env python3
"""The office PC's side of the appliance boot test: Python's smtplib and poplib, as a mail client.

  mailclient.py send HOST PORT USER PASSWORD FROM TO MESSAGE_FILE   submission: STARTTLS, AUTH, send
  mailclient.py fetch HOST PORT USER PASSWORD MESSAGE_ID OUT_FILE   POP3S: the message with that id
  mailclient.py relay HOST PORT FROM TO                             no AUTH, outside domain: refused?
Exit 0 when the step did what it should; otherwise a one-line reason on stderr and exit 1.
The server's certificate is Porter's self-signed one: not verified.
"""
import poplib
import smtplib
import ssl
import sys
import time


def tls():
    return ssl._create_unverified_context()


def send(host, port, user, password, sender, rcpt, path):
    with open(path, 'rb') as f:
        msg = f.read()
    with smtplib.SMTP(host, int(port), timeout=120) as s:
        s.ehlo('pc1.office.example')
        s.starttls(context=tls())
        s.ehlo('pc1.office.example')
        s.login(user, password)
        refused = s.sendmail(sender, [rcpt], msg)
        if refused:
            sys.exit('refused: %r' % refused)


def pop3s(host, port):
    """POP3S, retried for a minute while the box is still starting: the SMTP banner, which the test
    waits for, comes a moment before the POP3S listener, and qemu's port forward accepts a connection
    before the guest's port is open, then closes it (an EOF in the TLS handshake)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return poplib.POP3_SSL(host, int(port), context=tls(), timeout=120)
        except (ssl.SSLEOFError, ConnectionError, poplib.error_proto, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def fetch(host, port, user, password, message_id, out):
    p = pop3s(host, port)
    try:
        p.user(user)
        p.pass_(password)
        count, _ = p.stat()
        for n in range(1, count + 1):
            _, lines, _ = p.retr(n)      # poplib undoes the dot-stuffing
            data = b'\r\n'.join(lines) + b'\r\n'
            if message_id.encode() in data:
                with open(out, 'wb') as f:
                    f.write(data)
                return
        sys.exit('no message %s among %d' % (message_id, count))
    finally:
        p.quit()


def relay(host, port, sender, rcpt):
    with smtplib.SMTP(host, int(port), timeout=120) as s:
        s.ehlo('outside.example')
        code, reply = s.mail(sender)
        if code >= 400:
            print('MAIL refused: %d %s' % (code, reply.decode(errors='replace')))
            return
        code, reply = s.rcpt(rcpt)
        print('RCPT: %d %s' % (code, reply.decode(errors='replace')))
        if code < 400:
            sys.exit('open relay: RCPT TO:<%s> accepted without AUTH: %d' % (rcpt, code))


if __name__ == '__main__':
    {'send': send, 'fetch': fetch, 'relay': relay}[sys.argv[1]](*sys.argv[2:])
