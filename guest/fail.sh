#!/bin/bash
# Workbench self-test: a guest script that fails.
echo "not ok 1 - this guest fails on purpose"
exit 3
