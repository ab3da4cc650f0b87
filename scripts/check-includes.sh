#!/usr/bin/env bash
# Checks that every `#include "<area>/..."` under src/ stays inside what its area links: an area
# may include its own headers and those of the areas it depends on in CMake, directly or
# transitively. Linking enforces the direction for code; this catches header-only leaks that
# linking cannot see.
#
# The table comes from src/<area>/CMakeLists.txt, nowhere else:
#   - gh_area(<name> SOURCES ... DEPS ... TESTS ...) builds the library gh_<name>, where <name> is
#     the folder with '/' as '_' (src/auth/jwt: gh_auth_jwt). Its DEPS that are gh_* targets are
#     the areas it uses; other DEPS (spdlog::spdlog, Boost::json) are not areas, and TESTS and
#     test or benchmark executables (gh_router_bench) add nothing. A target_link_libraries() on
#     the library itself adds its gh_* libraries too.
#   - A folder without gh_area() builds executables (src/cli: gatehouse); the area uses the gh_*
#     libraries that target_link_libraries() gives them.
#   - Transitively: gh_area() links its DEPS PUBLIC, so an area is compiled and linked with
#     everything its dependencies depend on, and may include it (gateway may include
#     functions/runtime_api: it depends on functions/pool, which depends on functions/runtime_api).
# An area is src/<dir> for most folders, src/auth/<dir> for every auth area, and
# src/store/<dir>, src/functions/<dir> for the folders below those areas (area_of below); its
# subfolders (detail/) belong to it.
#
# Usage: scripts/check-includes.sh           check, print "include graph ok" or the violations
#        scripts/check-includes.sh --table   print the derived table (area: areas it may include)
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "check-includes: $*" >&2; exit 1; }

mode=check
case "${1:-}" in
  "") ;;
  --table) mode=table ;;
  *) die "unknown argument '$1' (usage: check-includes.sh [--table])" ;;
esac

# --- The CMake calls. One line per area folder: "<area> <library target or -> <gh_* deps>...",
# or "!<message>" for something this script cannot read.
read_cmake() {  # src/auth/jwt/CMakeLists.txt -> auth/jwt gh_auth_jwt gh_core
  local file=$1 area
  area=${file#src/}
  area=${area%/CMakeLists.txt}
  awk -v file="$file" -v area="$area" '
    # The whole file as one string: comments dropped (a "#" outside a quoted argument, which may
    # span lines), newlines kept as blanks, so that a call may span any number of lines.
    {
      line = $0; out = ""
      for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (quoted && c == "\\") { out = out c substr(line, i + 1, 1); i++; continue }
        if (c == "\"") quoted = !quoted
        else if (c == "#" && !quoted) break
        out = out c
      }
      text = text out " "
    }
    # Splits the text into calls: names[k] (lowercase, as CMake commands are case-insensitive)
    # and args[k] (the arguments, space-separated), up to the parenthesis that closes the call.
    function parse(   i, c, depth, name, arg, quoted) {
      n = 0; depth = 0; name = ""; quoted = 0
      for (i = 1; i <= length(text); i++) {
        c = substr(text, i, 1)
        if (depth == 0) {
          if (c ~ /[A-Za-z0-9_]/) { name = name c; continue }
          if (c == "(") {
            if (name == "") { bad = "a \"(\" without a command name"; return }
            n++; names[n] = tolower(name); args[n] = ""; arg = ""; depth = 1; name = ""
            continue
          }
          if (c !~ /[ \t]/) { bad = "unexpected \"" c "\" between calls"; return }
          if (name != "") { bad = "a command name without \"(\": " name; return }
          continue
        }
        if (quoted) {
          if (c == "\\") { arg = arg c substr(text, i + 1, 1); i++; continue }
          if (c == "\"") quoted = 0
          arg = arg c
          continue
        }
        if (c == "\"") { quoted = 1; arg = arg c; continue }
        if (c == "(") depth++
        if (c == ")" && --depth == 0) { if (arg != "") args[n] = args[n] " " arg; continue }
        if (c ~ /[ \t]/) { if (arg != "") args[n] = args[n] " " arg; arg = ""; continue }
        arg = arg c
      }
      if (depth > 0) bad = names[n] "( is never closed"
      if (name != "") bad = "a command name without \"(\": " name
    }
    END {
      parse()
      if (bad != "") { print "!" file ": " bad; exit }
      expected = "gh_" area; gsub("/", "_", expected)
      library = ""; deps = ""; nexe = 0
      for (k = 1; k <= n; k++) {
        m = split(args[k], a, " ")
        if (names[k] == "gh_area") {
          if (library != "") { print "!" file ": gh_area() twice"; exit }
          library = "gh_" a[1]
          if (library != expected) {
            print "!" file ": gh_area(" a[1] ") builds " library "; the folder src/" area \
                  " says " expected
            exit
          }
          section = ""; seen_deps = 0
          for (j = 2; j <= m; j++) {
            if (a[j] == "SOURCES" || a[j] == "DEPS" || a[j] == "TESTS") {
              section = a[j]
              if (section == "DEPS" && seen_deps++) { print "!" file ": DEPS given twice"; exit }
              continue
            }
            if (section != "DEPS") continue
            if (a[j] ~ /\$/) { print "!" file ": DEPS entry " a[j] " is not a plain name"; exit }
            if (a[j] ~ /^gh_/) deps = deps " " a[j]
          }
        } else if (names[k] == "add_executable") {
          exe[++nexe] = a[1]
        } else if (names[k] == "target_link_libraries") {
          for (j = 2; j <= m; j++) {
            if (a[j] ~ /\$/ && a[j] ~ /gh_/) {
              print "!" file ": target_link_libraries(" a[1] ") entry " a[j] " is not a plain name"
              exit
            }
            if (a[j] ~ /^gh_/) links[a[1]] = links[a[1]] " " a[j]
          }
        }
      }
      if (library != "") {
        print area, library deps links[library]
      } else if (nexe > 0) {
        for (e = 1; e <= nexe; e++) deps = deps links[exe[e]]
        print area, "-" deps
      }
      # Neither: not an area (the check reports its sources).
    }
  ' "$file"
}

declare -A deps=()     # area -> the gh_* targets it depends on directly
declare -A area_of_target=()  # gh_auth_jwt -> auth/jwt
cmake_files=$(find src -name CMakeLists.txt | sort)
[ -n "$cmake_files" ] || die "no src/**/CMakeLists.txt (run from a gatehouse checkout)"
while read -r area target rest; do
  case "$area" in
    "!"*) die "${area#!} $target $rest" ;;
  esac
  deps[$area]=$rest
  [ "$target" = - ] || area_of_target[$target]=$area
done < <(for f in $cmake_files; do read_cmake "$f"; done)
[ ${#deps[@]} -gt 0 ] || die "no gh_area() in any src/**/CMakeLists.txt"

# --- The areas each area may include: itself and its dependencies, transitively.
declare -A allowed=()
for area in "${!deps[@]}"; do
  declare -A seen=([$area]=1)
  todo=("$area")
  while [ ${#todo[@]} -gt 0 ]; do
    current=${todo[-1]}
    unset 'todo[-1]'
    for target in ${deps[$current]}; do
      next=${area_of_target[$target]:-}
      [ -n "$next" ] || die "src/$current/CMakeLists.txt depends on $target, which no src/**/CMakeLists.txt builds with gh_area()"
      [ -n "${seen[$next]:-}" ] && continue
      seen[$next]=1
      todo+=("$next")
    done
  done
  allowed[$area]=$(printf '%s\n' "${!seen[@]}" | sort | tr '\n' ' ')
  unset seen
done

if [ "$mode" = table ]; then
  for area in $(printf '%s\n' "${!allowed[@]}" | sort); do
    echo "$area: ${allowed[$area]% }"
  done
  exit 0
fi

# --- The check: every source file's area has a table entry; every include stays inside it.
table=$(for area in "${!allowed[@]}"; do echo "$area ${allowed[$area]}"; done)
sources=$(find src \( -name '*.h' -o -name '*.cc' \) | sort)
# One line per include: src/auth/jwt/verify.cc:#include "core/status.h". grep exits 1 when
# nothing matches, 2 when it cannot read.
includes=$(grep -rHoE --include='*.h' --include='*.cc' '^#include "[a-z_]+(/[a-z_]+)*\.h"' src) ||
  [ $? -eq 1 ] || die "could not read the sources under src/"
printf '%s\n' "$includes" | sort | awk -v table="$table" -v sources="$sources" '
  # src/auth/jwt/verify.cc -> auth/jwt; src/functions/events/detail/x.h -> functions/events;
  # src/store/table.h -> store; src/core/x.h -> core.
  function area_of(path,   p, n) {
    n = split(path, p, "/")  # p[1] is "src"
    if (p[2] == "auth" && n >= 3) return p[2] "/" p[3]
    if ((p[2] == "store" || p[2] == "functions") && n >= 4) return p[2] "/" p[3]
    return p[2]
  }
  BEGIN {
    bad = 0
    nt = split(table, rows, "\n")
    for (i = 1; i <= nt; i++) {
      m = split(rows[i], f, " ")
      known[f[1]] = 1
      for (j = 2; j <= m; j++) ok[f[1], f[j]] = 1
      if (area_of("src/" f[1] "/x.h") != f[1]) {
        print "check-includes: src/" f[1] "/CMakeLists.txt builds an area, but area_of() puts " \
              "the files of src/" f[1] "/ in " area_of("src/" f[1] "/x.h") > "/dev/stderr"
        bad = 1
      }
    }
    ns = split(sources, files, "\n")
    for (i = 1; i <= ns; i++) {
      area = area_of(files[i])
      if (area in known) continue
      if (!(area in orphans)) { orphans[area] = files[i]; order[++no] = area }
      else orphan_more[area]++
    }
    for (i = 1; i <= no; i++) {
      area = order[i]
      more = orphan_more[area] ? " and " orphan_more[area] " more files" : ""
      print "check-includes: area \"" area "\" (" orphans[area] more ") has no gh_area() in " \
            "src/" area "/CMakeLists.txt, nor executables linking gh_* libraries" > "/dev/stderr"
      bad = 1
    }
  }
  NF > 0 {
    colon = index($0, ":")
    file = substr($0, 1, colon - 1)
    inc = substr($0, colon + 1)
    sub(/^#include "/, "", inc); sub(/"$/, "", inc)
    area = area_of(file)
    target = area_of("src/" inc)
    if (!(area in known) || (area, target) in ok) next
    if (target in known)
      why = area " does not depend on " target " (DEPS in src/" area "/CMakeLists.txt, followed transitively)"
    else
      why = "\"" target "\" is no area of src/"
    print "check-includes: " file " includes \"" inc "\": " why > "/dev/stderr"
    bad = 1
  }
  END {
    if (!bad) print "include graph ok"
    exit bad
  }
'
