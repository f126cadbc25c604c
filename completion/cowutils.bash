# cowutils.bash -- bash completion for cowcp, cowmv and cowln.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installed as bash-completion/completions/cowcp, with cowmv and cowln as
# links to it (bash-completion 2 loads a command's completion from a file
# of its name).  Needs bash-completion's _init_completion and _filedir.
#
# The option lists are written out here rather than read from --help on
# every Tab: they are the options each program's --help shows, and
# tests/packaging/completion.bats fails when one is missing.

# The words of the option values, as the programs' argmatch tables have
# them.
_cowutils_backup_words='none off numbered t existing nil simple never'
_cowutils_update_words='all none none-fail older'
_cowutils_sparse_words='auto always never'
_cowutils_preserve_words='mode ownership timestamps links context xattr flags all'
_cowutils_progress_words='auto always never'

# _cowutils_list WORDS
# Complete $cur as a comma-separated list of WORDS: the part before the
# last comma stays, the last part is completed from the WORDS not already
# in the list.
_cowutils_list()
{
    local head=${cur%"${cur##*,}"} tail=${cur##*,} w
    local -a left=()
    for w in $1; do
        [[ ,$head == *,"$w",* ]] || left+=("$w")
    done
    COMPREPLY=($(compgen -P "$head" -W "${left[*]}" -- "$tail"))
}

# _cowutils COMMAND WORD PREVIOUS
# The completion function of all three programs; COMMAND (possibly a path)
# says which.
_cowutils()
{
    local cur prev words cword split
    _init_completion -s || return

    # LONG: the long options, with "=" where a value may be attached
    # (both forms for an optional value); SHORT: the short ones.
    # COW: the values of --cow (and --reflink), empty where there is none.
    local long short cow=
    case ${1##*/} in
        cowcp)
            long='--archive --attributes-only --backup --backup=
                --copy-contents --cow --cow= --reflink --reflink= --debug
                --dry-run
                --force --interactive --link --dereference --no-clobber
                --no-dereference --preserve --preserve= --no-preserve=
                --progress --progress=
                --parents --recursive --remove-destination --sparse=
                --strip-trailing-slashes --symbolic-link --suffix=
                --target-directory= --no-target-directory --update
                --update= --verbose --keep-directory-symlink
                --one-file-system --context --context= --help --version'
            short='-a -b -c -d -f -g -H -i -l -L -n -P -p -R -r -s -S -t
                -T -u -v -x -Z'
            cow='auto always never'
            ;;
        cowmv)
            long='--backup --backup= --debug --dry-run --exchange --force
                --interactive --no-clobber --no-copy --progress --progress=
                --strip-trailing-slashes --suffix= --target-directory=
                --no-target-directory --update --update= --verbose
                --context --help --version'
            short='-b -f -g -i -n -S -t -T -u -v -Z'
            ;;
        cowln)
            long='--backup --backup= --cow --cow= --directory --dry-run --force
                --interactive --logical --no-dereference --physical
                --progress --progress= --relative --symbolic --suffix= --target-directory=
                --no-target-directory --verbose --help --version'
            short='-b -c -d -F -f -g -i -L -n -P -r -S -s -T -t -v'
            cow='always auto'
            ;;
        # cowsnap: not written yet.  Its subcommands (list, restore,
        # delete, prune) and snapshot names will be completed by a case of
        # their own here, and cowsnap added to the "complete" line below.
        *)
            return
            ;;
    esac

    # After "--" every word is a file.
    local i
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == -- ]]; then
            _filedir
            return
        fi
    done

    # The value of an option: after "=" for every long option that takes
    # one, as the next word for those whose value is mandatory.
    case $prev in
        --cow | --reflink)
            if [[ $split == true && -n $cow && $long == *"$prev="* ]]; then
                COMPREPLY=($(compgen -W "$cow" -- "$cur"))
            fi
            [[ $split == true ]] && return
            ;;
        --backup)
            if [[ $split == true ]]; then
                COMPREPLY=($(compgen -W "$_cowutils_backup_words" -- "$cur"))
                return
            fi
            ;;
        --progress)
            if [[ $split == true ]]; then
                COMPREPLY=($(compgen -W "$_cowutils_progress_words" -- "$cur"))
                return
            fi
            ;;
        --update)
            if [[ $split == true ]]; then
                COMPREPLY=($(compgen -W "$_cowutils_update_words" -- "$cur"))
                return
            fi
            ;;
        --preserve)
            if [[ $split == true ]]; then
                [[ $long == *--preserve=* ]] \
                    && _cowutils_list "$_cowutils_preserve_words"
                return
            fi
            ;;
        --no-preserve)
            [[ $long == *--no-preserve=* ]] \
                && _cowutils_list "$_cowutils_preserve_words"
            return
            ;;
        --sparse)
            [[ $long == *--sparse=* ]] \
                && COMPREPLY=($(compgen -W "$_cowutils_sparse_words" -- "$cur"))
            return
            ;;
        -t | --target-directory)
            _filedir -d
            return
            ;;
        -S | --suffix | --context)
            # A suffix or a security context: nothing to offer.
            [[ $prev == --context && $split != true ]] || return
            ;;
    esac
    # Any other option=value: nothing known to offer.
    [[ $split == true ]] && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$long $short" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    _filedir
}
complete -F _cowutils cowcp cowmv cowln

# ex: filetype=sh
