#!/usr/bin/perl
# whoami.pl - a Perl CGI script that answers signed-in users only, with
# ghauth-check(1) (docs/PROTECT.md): exit status 0 and the identity as
# JSON, or "ghauth-check --deny" answers the request for us.
use strict;
use warnings;
use JSON::PP;

my $json = qx(ghauth-check --format=json);
exec('ghauth-check', '--deny') or die "ghauth-check: $!\n" if $? != 0;
my $user = decode_json($json);

binmode(STDOUT, ':encoding(UTF-8)');
print "Status: 200 OK\r\n",
    "Content-Type: text/plain; charset=utf-8\r\n",
    "Cache-Control: private, no-store\r\n\r\n";
printf "Hello, %s (%s)\n", $user->{userName},
    $user->{displayName} // 'no name';
