#!/bin/sh
# httpd runs cgi-bin/index.cgi for "/" when there is no index.html.
read -r uptime _idle </proc/uptime
printf 'Content-Type: application/json\r\n\r\n'
printf '{"boot_id": "%s", "uptime": %s, "hostname": "%s"}\n' \
    "$(cat /proc/sys/kernel/random/boot_id)" "$uptime" "$(hostname)"
