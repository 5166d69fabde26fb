"""A smarthost for tests: a real SMTP server on a loopback port that answers RCPT with
451 4.3.0 while the file ACCEPT_FLAG is absent, and accepts and records messages (one file each
in OUT_DIR) once it exists. Prints its port on the first line, then serves until killed.
Usage: python3 smarthost.py ACCEPT_FLAG OUT_DIR"""
import os, socketserver, sys

flag, outdir = sys.argv[1], sys.argv[2]


class Session(socketserver.StreamRequestHandler):
    timeout = 60

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 smarthost.test ESMTP")
        rcpts = []
        while True:
            line = self.rfile.readline(1000)
            if not line:
                return
            cmd = line.decode("ascii", "replace").strip()
            verb = cmd[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 smarthost.test")
            elif verb == "MAIL":
                rcpts = []
                self.reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                if os.path.exists(flag):
                    rcpts.append(cmd)
                    self.reply("250 2.1.5 Ok")
                else:
                    self.reply("451 4.3.0 Try again later: smarthost busy")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("503 5.5.1 No valid recipients")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = b""
                while True:
                    l = self.rfile.readline(10000)
                    if not l or l == b".\r\n":
                        break
                    data += l
                n = len(os.listdir(outdir))
                with open(os.path.join(outdir, "msg%d.eml" % n), "wb") as f:
                    f.write(data)
                self.reply("250 2.0.0 Ok: queued")
            elif verb == "RSET":
                rcpts = []
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Not implemented")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


with Server(("127.0.0.1", 0), Session) as server:
    print(server.server_address[1], flush=True)
    server.serve_forever()
