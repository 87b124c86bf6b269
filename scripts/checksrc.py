#!/usr/bin/env python3
"""Source checks (curl's checksrc idea), run by scripts/test.sh.

- Layer include rules: src/core and src/domain are plain C; only src/store
  talks to a database, only src/http to libmicrohttpd, and JSON (jansson)
  stays in src/http, src/api and src/cli (front ends).
- Banned functions: unbounded or unsafe libc calls.
- Every .c and .h file opens with a comment saying what it is.
Prints one line per problem as FILE:LINE: message; exits 1 if any.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')

ALLOWED = {  # header -> layers that may include it
    'microhttpd.h': {'http'},
    'sqlite3.h': {'store'},
    'libpq-fe.h': {'store'},
    'jansson.h': {'http', 'api', 'cli'},
    'curl.h': {'http'},
}
# layer -> project layers it must not include
LAYER_DEPS = {
    'core': {'domain', 'store', 'http', 'api', 'cli'},
    'domain': {'http', 'api', 'cli'},
    'store': {'http', 'api', 'cli'},
    'http': {'domain', 'store', 'api', 'cli'},
}
BANNED = {
    'sprintf': 'use snprintf or strbuf_addf',
    'vsprintf': 'use vsnprintf',
    'strcpy': 'use str_copy',
    'strcat': 'use strbuf',
    'strncpy': 'use str_copy',
    'strncat': 'use strbuf',
    'atoi': 'use str_to_ll',
    'atol': 'use str_to_ll',
    'atoll': 'use str_to_ll',
    'atof': 'use str_to_double',
    'gets': 'use fgets',
    'strtok': 'use strtok_r or a parser',
    'tmpnam': 'use mkstemp',
    'asctime': 'use strftime',
    'ctime': 'use strftime',
    'gmtime': 'use gmtime_r',
    'localtime': 'use localtime_r',
    'rand': 'use sec_random',
    'system': 'do not spawn a shell',
}
CALL = re.compile(r'(?<![\w.>])(' + '|'.join(BANNED) + r')\s*\(')
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def strip(line, state):
    """Removes comments and string literals (state carries /* */ across lines)."""
    out, i = [], 0
    while i < len(line):
        if state[0]:
            j = line.find('*/', i)
            if j < 0:
                return ''.join(out)
            state[0], i = False, j + 2
            continue
        c = line[i]
        if line.startswith('/*', i):
            state[0], i = True, i + 2
        elif line.startswith('//', i):
            break
        elif c in '"\'':
            j = i + 1
            while j < len(line) and line[j] != c:
                j += 2 if line[j] == '\\' else 1
            out.append('""')
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def main():
    problems = []
    src = os.path.join(ROOT, 'src')
    for dirpath, _, files in os.walk(src):
        for name in sorted(files):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, ROOT)
            parts = os.path.relpath(path, src).split(os.sep)
            layer = parts[0] if len(parts) > 1 else 'main'
            with open(path, encoding='utf-8') as f:
                lines = f.read().split('\n')
            if not lines or not lines[0].startswith('/*'):
                problems.append(f'{rel}:1: the file must open with a comment saying what it is')
            state = [False]
            for n, line in enumerate(lines, 1):
                m = INCLUDE.match(line)
                if m:
                    hdr = m.group(1)
                    base = os.path.basename(hdr)
                    if base in ALLOWED and layer not in ALLOWED[base] and layer != 'main':
                        problems.append(f'{rel}:{n}: layer {layer} must not include <{hdr}>')
                    top = hdr.split('/')[0]
                    if '/' in hdr and top in LAYER_DEPS.get(layer, set()):
                        problems.append(f'{rel}:{n}: layer {layer} must not include "{hdr}"')
                    continue
                code = strip(line, state)
                for m in CALL.finditer(code):
                    fn = m.group(1)
                    problems.append(f'{rel}:{n}: banned function {fn}(): {BANNED[fn]}')
    for p in problems:
        print(p)
    print(f'checksrc: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
