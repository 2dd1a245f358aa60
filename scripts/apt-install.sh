# Sourced by scripts/test.sh and the editor end-to-end runners: one way to
# install Debian/Ubuntu packages, as root or with passwordless sudo.
#
#   apt_install PACKAGE…   returns 1, after a message on stderr, when the
#                          packages cannot be installed (no apt-get, not root
#                          and no sudo, or apt-get failed)

apt_install() {
  printf 'installing Debian packages: %s\n' "$*"
  local apt
  if [ "$(id -u)" = 0 ]; then
    apt=(apt-get)
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    apt=(sudo apt-get)
  else
    echo "$* missing and cannot be installed (not root, no sudo)" >&2
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$* missing and there is no apt-get" >&2
    return 1
  fi
  "${apt[@]}" update -qq || { echo "apt-get update failed" >&2; return 1; }
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "$@" >/dev/null ||
    { echo "apt-get install $* failed" >&2; return 1; }
}
