#!/usr/bin/env bash
# System packages the tests need on a fresh Debian 12 machine: Chromium (Playwright's browser and
# the SwiftShader Vulkan driver it ships) and Mesa's lavapipe from bookworm-backports (Dawn rejects
# the 22.x in bookworm proper).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > /etc/apt/sources.list.d/backports.list
fi
apt-get update
apt-get install -y --no-install-recommends chromium fonts-noto-cjk xvfb
apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
# Debian's PyTorch (1.13, CPU) and numpy: the golden generators and the torch export test
# (tests/integration/export-torch.test.ts runs the exported train.py under torchrun with gloo).
apt-get install -y --no-install-recommends python3-torch python3-numpy
