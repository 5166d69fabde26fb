# Sourced by rootfs.sh and build-image.sh: porter_image_sources prints the apt source lines (one-line
# form) for bookworm, bookworm-updates and bookworm-security from the mirrors this machine's apt is
# configured with (deb822 .sources or sources.list), or from PORTER_DEBIAN_MIRROR /
# PORTER_DEBIAN_SECURITY when set. The image is always bookworm, whatever release the host runs.
porter_image_sources() {
    local uris mirror=${PORTER_DEBIAN_MIRROR:-} security=${PORTER_DEBIAN_SECURITY:-} u
    uris=$( { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
              sed -nE 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+).*/\2/p' \
                  /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null; } | tr ' ' '\n' | sed '/^$/d')
    for u in $uris; do
        case $u in
            *security*) [ -n "$security" ] || security=$u ;;
            *) [ -n "$mirror" ] || mirror=$u ;;
        esac
    done
    mirror=${mirror:-http://deb.debian.org/debian}
    echo "deb ${mirror%/} bookworm main"
    echo "deb ${mirror%/} bookworm-updates main"
    [ -z "$security" ] || echo "deb ${security%/} bookworm-security main"
}
