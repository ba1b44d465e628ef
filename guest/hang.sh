#!/bin/bash
# Workbench self-test: a guest script that never ends.
echo "# hanging on purpose"
sleep 100000
