# cowutils.bash -- bash completion for cowcp, cowmv, cowln and cowsnap.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installed as bash-completion/completions/cowcp, with cowmv, cowln and
# cowsnap as links to it (bash-completion 2 loads a command's completion
# from a file of its name).  Needs bash-completion's _init_completion and
# _filedir.
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

# cowsnap's commands, the words that may come first.
_cowsnap_commands='list diff restore delete prune schedule'

# _cowsnap_options COMMAND
# Print the options of cowsnap COMMAND ("create" when no command word was
# given), as option_commands in src/cowsnap.c has them, with "=" after
# those that take a value.
_cowsnap_options()
{
    local keep='--keep-last= --keep-hourly= --keep-daily= --keep-weekly=
        --keep-monthly= --keep-yearly= --min-age='
    local all='-v --verbose --help --version'
    case $1 in
        create) echo "--copy --debug --dir= --if-changed --name= --strict $all" ;;
        list) echo "--dir= -h --human-readable --json $all" ;;
        diff) echo "--debug --dir= $all" ;;
        restore) echo "--dir= --no-keep --to= $all" ;;
        delete) echo "$all" ;;
        prune) echo "--dir= --dry-run $keep $all" ;;
        schedule) echo "--hourly --daily --weekly --if-changed --print --remove
            --unit-dir= $keep $all" ;;
    esac
}

# _cowsnap_topmost DIR
# Print the topmost ancestor of DIR (absolute, without symbolic links) on
# DIR's device: the mount point or btrfs subvolume root holding it, where
# cowsnap puts the .snapshot namespace.
_cowsnap_topmost()
{
    local cur=$1 up dev
    dev=$(stat -c %d -- "$cur" 2>/dev/null) || return
    while [[ $cur != / ]]; do
        up=${cur%/*}
        up=${up:-/}
        [[ $(stat -c %d -- "$up" 2>/dev/null) == "$dev" ]] || break
        cur=$up
    done
    printf '%s\n' "$cur"
}

# _cowsnap_names PATH [DIR]
# Print the names (STAMP or NAME) of the snapshots of PATH, kept in the
# namespace DIR (--dir) or ROOT/.snapshot, one a line.
_cowsnap_names()
{
    local abs root rel base space reldir f suffix
    abs=$(readlink -e -- "$1") || return
    if [[ $abs == / ]]; then
        root=/
    elif [[ -d $abs && $(stat -c %m -- "$abs" 2>/dev/null) == "$abs" ]]; then
        # A mount point is the root of its own namespace.
        root=$abs
    else
        local parent=${abs%/*}
        root=$(_cowsnap_topmost "${parent:-/}") || return
    fi
    rel=${abs#"$root"}
    rel=${rel#/}
    base=${rel##*/}
    [[ -n $rel ]] || base=@
    if [[ -n ${2-} ]]; then
        space=$(readlink -e -- "$2") || return
    else
        space=${root%/}/.snapshot
    fi
    reldir=
    [[ $rel == */* ]] && reldir=/${rel%/*}
    for f in "$space$reldir/$base".*; do
        [[ -e $f || -L $f ]] || continue
        suffix=${f##*/}
        suffix=${suffix#"$base".}
        # A NAME has no '.'; a STAMP is YYYY-MM-DDTHHMMSS.uuuuuuZ.
        if [[ $suffix != *.* \
              || $suffix =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}\.[0-9]{6}Z$ ]]
        then
            printf '%s\n' "$suffix"
        fi
    done
}

# _cowsnap_here
# Print the snapshots of the working directory's entries, as absolute
# names, one a line: the entries of its image in the .snapshot namespace
# of its mount point or btrfs subvolume whose names end in a '.' and a
# STAMP or a NAME.
_cowsnap_here()
{
    local cwd root rel mirror f name
    cwd=$(pwd -P) || return
    root=$(_cowsnap_topmost "$cwd") || return
    rel=${cwd#"$root"}
    rel=${rel#/}
    mirror=${root%/}/.snapshot${rel:+/$rel}
    [[ -f ${root%/}/.snapshot/.cowsnap ]] || return
    for f in "$mirror"/*; do
        [[ -e $f || -L $f ]] || continue
        name=${f##*/}
        if [[ $name =~ \.[^./]+$ \
              || $name =~ \.[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}\.[0-9]{6}Z$ ]]
        then
            printf '%s\n' "$f"
        fi
    done
}

# _cowsnap COMMAND WORD PREVIOUS
# The completion function of cowsnap: its commands as the first word, each
# command's own options, snapshot names for the SNAPSHOT operands of
# restore and diff, and for delete the snapshots of the working
# directory's files.
_cowsnap()
{
    local cur prev words cword split
    _init_completion -s || return

    local command=create first=1
    if ((cword > 1)) && [[ " $_cowsnap_commands " == *" ${words[1]} "* ]]; then
        command=${words[1]}
        first=2
    fi

    case $prev in
        --dir | --unit-dir)
            _filedir -d
            return
            ;;
        --to)
            _filedir
            return
            ;;
        --name | --keep-* | --min-age)
            return
            ;;
    esac
    [[ $split == true ]] && return

    # The operands before the current word, skipping options and the
    # values of those given as a separate word.
    local -a operands=()
    local i dir='' dashdash=''
    for ((i = first; i < cword; i++)); do
        if [[ -n $dashdash || ${words[i]} != -* ]]; then
            operands+=("${words[i]}")
        elif [[ ${words[i]} == -- ]]; then
            dashdash=1
        elif [[ ${words[i]} == --dir=* ]]; then
            dir=${words[i]#--dir=}
        elif [[ ${words[i]} == @(--dir|--to|--name|--unit-dir|--keep-*|--min-age) ]]; then
            [[ ${words[i]} == --dir ]] && dir=${words[i + 1]}
            ((i++))
        fi
    done

    if [[ -z $dashdash && $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_cowsnap_options "$command")" -- "$cur"))
        [[ ${COMPREPLY-} == *= ]] && compopt -o nospace
        return
    fi
    if ((cword == 1)); then
        COMPREPLY=($(compgen -W "$_cowsnap_commands" -- "$cur"))
    fi

    case $command in
        restore | diff)
            if ((${#operands[@]} >= 1)); then
                local IFS=$'\n'
                COMPREPLY+=($(compgen -W "$(_cowsnap_names "${operands[0]}" "$dir")" -- "$cur"))
            fi
            ;;
        delete)
            if [[ $cur != */* ]]; then
                local IFS=$'\n' f
                for f in $(_cowsnap_here); do
                    [[ ${f##*/} == "$cur"* ]] && COMPREPLY+=("$f")
                done
                ((${#COMPREPLY[@]})) && return
            fi
            ;;
    esac
    _filedir
}
complete -F _cowsnap cowsnap

# ex: filetype=sh
