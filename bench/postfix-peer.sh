#!/usr/bin/env bash
# bench/postfix-peer.sh DIR PORT - start a separate Postfix instance (Debian's package) on
# 127.0.0.1:PORT that accepts mail for office.example into Maildirs under DIR/mail, with STARTTLS
# (self-signed). For side-by-side figures; stop it with: postfix -c DIR/etc stop
set -euo pipefail
DIR=$1; PORT=$2
command -v postfix >/dev/null || { echo "needs Debian's postfix package" >&2; exit 1; }
mkdir -p "$DIR"; chmod 755 "$DIR"
rm -rf "$DIR/etc"; cp -a /etc/postfix "$DIR/etc"; rm -f "$DIR/etc/makedefs.out"
mkdir -p "$DIR/spool" "$DIR/data" "$DIR/mail"; chown postfix "$DIR/data"; chown nobody "$DIR/mail"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=postfix.bench" \
    -keyout "$DIR/etc/key.pem" -out "$DIR/etc/cert.pem" >/dev/null 2>&1
postconf -c "$DIR/etc" -e "queue_directory=$DIR/spool" "data_directory=$DIR/data" "meta_directory=$DIR/etc" \
    shlib_directory=/usr/lib/postfix daemon_directory=/usr/lib/postfix/sbin "maillog_file=$DIR/maillog" \
    "maillog_file_prefixes=$DIR" inet_interfaces=127.0.0.1 inet_protocols=ipv4 mydestination= \
    myhostname=postfix.bench virtual_mailbox_domains=office.example "virtual_mailbox_base=$DIR/mail" \
    "virtual_mailbox_maps=static:mbox/" "virtual_uid_maps=static:$(id -u nobody)" "virtual_gid_maps=static:$(id -g nobody)" \
    "smtpd_tls_cert_file=$DIR/etc/cert.pem" "smtpd_tls_key_file=$DIR/etc/key.pem" smtpd_tls_security_level=may \
    "mynetworks=127.0.0.0/8" "smtpd_client_connection_count_limit=1000" "default_process_limit=200" \
    "alias_maps=" "alias_database=" compatibility_level=3.6
# master.cf: our port instead of 25, and no chroot anywhere
sed -i -E 's/^smtp( +)inet/#smtp\1inet/' "$DIR/etc/master.cf"
echo "127.0.0.1:$PORT inet n - n - - smtpd" >> "$DIR/etc/master.cf"
awk 'BEGIN{OFS=" "} /^[a-z0-9.:\[\]-]+ +(unix|inet|fifo|pass|unix-dgram) / && NF>=8 {$5="n"} {print}' \
    "$DIR/etc/master.cf" > "$DIR/etc/master.cf.new" && mv "$DIR/etc/master.cf.new" "$DIR/etc/master.cf"
script -qc "postfix -c $DIR/etc start" /dev/null >/dev/null
for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), timeout=1)" 2>/dev/null && exit 0
    sleep 0.1
done
echo "postfix did not start: see $DIR/maillog" >&2; exit 1
