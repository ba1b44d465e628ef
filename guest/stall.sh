#!/bin/bash
# Workbench self-test: a guest whose heartbeat stops, as it does when the
# guest's timer interrupts stop arriving (the heartbeat is guest/init's).
echo "# stopping the heartbeat on purpose"
kill -STOP "$(cat /tmp/wb/heartbeat.pid)"
sleep 100000
