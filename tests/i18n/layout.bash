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
