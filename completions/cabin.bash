# bash completion for cabin(1).  Installed as
# $PREFIX/share/bash-completion/completions/cabin; source it to try it.
#
# The options of `cabin run` are read from `cabin run --help` of the cabin
# being completed, so they follow the binary; the values below are the
# names cabin accepts (tests/install/run.sh compares them with its help).

_cabin_profiles="default strict trace none"
_cabin_platforms="process kvm"

# The options of `cabin run`, one per line as "--name", "--name=" (the
# value follows after '=') or "--name " (the value is the next word),
# then a tab and the value's placeholder (FILE, PATH, NAME...).
_cabin_run_options()
{
	local cabin=$1

	if [[ -z ${_cabin_run_opts-} || ${_cabin_run_opts_of-} != "$cabin" ]]; then
		_cabin_run_opts=$("$cabin" run --help 2>/dev/null | sed -nE '
			s/^ {1,8}(-[a-zA-Z], )?(--[a-z0-9-]+)(\[?=)([A-Z]+).*/\2=\t\4/p
			t
			s/^ {1,8}(-[a-zA-Z], )?(--[a-z0-9-]+) ([A-Z]+)(=[A-Z]+)?( .*|$)/\2 \t\3/p
			t
			s/^ {1,8}(-[a-zA-Z], )?(--[a-z0-9-]+)( .*|$)/\2\t/p')
		_cabin_run_opts_of=$cabin
	fi
	printf '%s\n' "$_cabin_run_opts"
}

# Complete the value of run option OPT (without '=') whose word is CUR.
_cabin_run_value()
{
	local cabin=$1 opt=$2 cur=$3 kind

	case $opt in
	--profile) COMPREPLY=($(compgen -W "$_cabin_profiles" -- "$cur")); return ;;
	--platform) COMPREPLY=($(compgen -W "$_cabin_platforms" -- "$cur")); return ;;
	--net) COMPREPLY=($(compgen -W "none loopback host" -- "$cur")); return ;;
	--trace-format) COMPREPLY=($(compgen -W "text jsonl" -- "$cur")); return ;;
	--forward) COMPREPLY=($(compgen -W "exit ring" -- "$cur")); return ;;
	--gdb) COMPREPLY=($(compgen -W "- 127.0.0.1:0 127.0.0.1:1234 unix:" -- "$cur")); return ;;
	esac
	kind=$(_cabin_run_options "$cabin" | sed -n "s/^$opt[= ]*\t//p")
	case $kind in
	FILE | PATH) compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur")) ;;
	DIR) compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur")) ;;
	esac
}

_cabin_run()
{
	local cabin=$1 cur=$2 prev=$3 i w opts

	# Past the program's name (or "--"), the words are the program's.
	for ((i = 2; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -- ]]; then
			_cabin_program $((i + 1))
			return
		fi
		[[ $w == -* || $w == = ]] && continue
		# A word after "--opt" or "--opt=" is that option's value.
		[[ ${COMP_WORDS[i - 1]} == = ]] && continue
		_cabin_run_options "$cabin" |
			grep -q -- "^${COMP_WORDS[i - 1]} " && continue
		_cabin_program "$i"
		return
	done

	# "--opt=VALUE" arrives as "--opt" "=" "VALUE" (COMP_WORDBREAKS).
	if [[ $cur == = ]]; then
		_cabin_run_value "$cabin" "$prev" ""
		return
	elif [[ $prev == = ]]; then
		_cabin_run_value "$cabin" "${COMP_WORDS[COMP_CWORD - 2]}" "$cur"
		return
	elif [[ $cur == --*=* ]]; then
		_cabin_run_value "$cabin" "${cur%%=*}" "${cur#*=}"
		return
	fi
	if _cabin_run_options "$cabin" | grep -q -- "^$prev "; then
		_cabin_run_value "$cabin" "$prev" "$cur"
		return
	fi
	if [[ $cur == -* ]]; then
		opts=$(_cabin_run_options "$cabin" | cut -f1 | tr -d ' ')
		COMPREPLY=($(compgen -W "$opts -v -q -h --" -- "$cur"))
		((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]] &&
			compopt -o nospace 2>/dev/null
		return
	fi
	COMPREPLY=($(compgen -c -- "$cur"))
}

# Complete the confined program's command line, which starts at word I.
_cabin_program()
{
	local i=$1

	if ((i == COMP_CWORD)); then
		COMPREPLY=($(compgen -c -- "${COMP_WORDS[COMP_CWORD]}"))
	elif declare -F _command_offset >/dev/null; then
		_command_offset "$i"
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}"))
	fi
}

_cabin()
{
	local cabin=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]} groups=

	COMPREPLY=()
	cabin=$(type -P -- "${cabin/#\~/$HOME}") || cabin=cabin
	if ((COMP_CWORD == 1)); then
		COMPREPLY=($(compgen -W "run info policy -h --help -V --version" -- "$cur"))
		return
	fi
	case ${COMP_WORDS[1]} in
	run) _cabin_run "$cabin" "$cur" "$prev" ;;
	info) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
	policy)
		if ((COMP_CWORD == 2)); then
			COMPREPLY=($(compgen -W "check show --help" -- "$cur"))
		elif ((COMP_CWORD == 3)) && [[ $prev == show ]]; then
			# The syscall groups: the binary's own list, as its
			# error for an unknown one gives it.
			[[ $cur == @* ]] && groups=$("$cabin" policy show @ 2>&1 |
				sed -n 's/.*; known: //p')
			COMPREPLY=($(compgen -W "$_cabin_profiles $groups" -- "$cur"))
		elif ((COMP_CWORD == 3)) && [[ $prev == check ]]; then
			compopt -o filenames 2>/dev/null
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	esac
}

complete -F _cabin cabin
