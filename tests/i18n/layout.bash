# SPDX-License-Identifier: GPL-3.0-or-later
# layout.bash -- the --help layout GNU coreutils uses, as a check that the
# i18n suites share.

# check_help_layout COLUMN < HELP_TEXT
# Fail, naming the offending line, unless HELP_TEXT (a --help output, in
# any language, UTF-8) keeps GNU's option layout with descriptions in
# COLUMN (counted from 0):
#   - an option line starts with "  -" (short option first) or "      --"
#     (long option only) and its description starts in COLUMN, or, when
#     the options are too wide for that, two spaces after them;
#   - a line continuing a description starts in COLUMN + 2;
#   - no line is wider than 79 columns.
# At least ten option lines must be found, so that a text this check does
# not recognise fails instead of passing unchecked.
check_help_layout ()
{
  local column=$1 report
  report=$(perl -CS -e '
    my $col = shift;
    my ($options, $in_option, $bad) = (0, 0, "");
    while (my $line = <STDIN>) {
      chomp $line;
      $bad .= "wider than 79 columns: $line\n" if length $line > 79;
      if ($line =~ /^( {2}-\S.*?| {6}--\S.*?)( {2,})(\S.*)$/) {
        my ($opt, $gap) = ($1, $2);
        $options++;
        $in_option = 1;
        my $want = length ($opt) + 2 <= $col ? $col - length $opt : 2;
        $bad .= "description not in column $col: $line\n"
          if length $gap != $want;
      } elsif ($line =~ /^ {2}-|^ {6}--/) {
        $bad .= "option line without a description: $line\n";
      } elsif ($in_option && $line =~ /^( +)\S/) {
        $bad .= "continuation not in column " . ($col + 2) . ": $line\n"
          if length $1 != $col + 2;
      } else {
        $in_option = 0;
      }
    }
    $bad .= "only $options option lines found\n" if $options < 10;
    print $bad;' "$column")
  [[ -z $report ]] || fail "--help layout: $report"
}

# check_help_layout_like ORIGINAL < TRANSLATED
# Fail, naming the offending line, unless the TRANSLATED --help (UTF-8)
# keeps the layout of ORIGINAL, the untranslated --help given as a
# string: the same option lines in the same order (matched by their
# first option name), each description in the column ORIGINAL puts it
# in, description-less option lines where ORIGINAL has them, lines
# continuing a description indented as some continuation line of
# ORIGINAL is, and no line wider than 79 columns.  For a --help that
# does not keep one description column throughout (cowsnap's sets
# --help and --version apart, as GNU's programs do), where
# check_help_layout cannot be used.  At least ten option lines must be
# found.
check_help_layout_like ()
{
  local report
  report=$(perl -CSA -e '
    sub parse {
      my ($text) = @_;
      my (@opts, %cont, @wide, $in_option);
      for my $line (split /\n/, $text) {
        push @wide, $line if length $line > 79;
        if ($line =~ /^( {2}-\S.*?| {6}--\S.*?)( {2,})(\S.*)$/) {
          my ($opt, $gap) = ($1, $2);
          my ($name) = $opt =~ /(-[-[:alnum:]]+)/;
          push @opts, [$name, length ($opt) + length ($gap), $line];
          $in_option = 1;
        } elsif ($line =~ /^ {2}-|^ {6}--/) {
          my ($name) = $line =~ /(-[-[:alnum:]]+)/;
          push @opts, [$name, "none", $line];
          $in_option = 1;
        } elsif ($in_option && $line =~ /^( +)\S/) {
          $cont{length $1} .= "$line\n";
        } else {
          $in_option = 0;
        }
      }
      return (\@opts, \%cont, \@wide);
    }
    my $original = shift;
    my $translated = do { local $/; <STDIN> };
    my ($eo, $ec) = parse ($original);
    my ($to, $tc, $tw) = parse ($translated);
    my $bad = "";
    $bad .= "wider than 79 columns: $_\n" for @$tw;
    $bad .= "only " . @$eo . " option lines found\n" if @$eo < 10;
    $bad .= @$eo . " option lines in the original, " . @$to
            . " in the translation\n" if @$eo != @$to;
    for my $i (0 .. $#$eo) {
      my ($e, $t) = ($eo->[$i], $to->[$i]);
      last unless $t;
      if ($e->[0] ne $t->[0]) {
        $bad .= "option $e->[0] expected, not: $t->[2]\n";
      } elsif ($e->[1] ne $t->[1]) {
        $bad .= "description not in column $e->[1]: $t->[2]\n";
      }
    }
    for my $indent (sort keys %$tc) {
      $bad .= "continuation indented $indent, not as in the original: $tc->{$indent}"
        unless exists $ec->{$indent};
    }
    print $bad;' "$1")
  [[ -z $report ]] || fail "--help layout: $report"
}
