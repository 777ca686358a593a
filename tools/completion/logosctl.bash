# SPDX-License-Identifier: GPL-2.0
# bash completion for logosctl(8): subcommands, their options, and module
# names (from 'logosctl list --json': logosd's modules and the kernel's).

_logosctl_modules()
{
	logosctl list --json 2>/dev/null | grep -o '"name":"[^"]*"' | cut -d'"' -f4 | sort -u
}

_logosctl()
{
	local cur prev words cword
	_init_completion || return

	local cmds="list status start stop restart pause resume reload update rollback services top handles
		quota grants stats monitor audit keygen sign verify key version help"
	local resources="handles= objects= events= channels= msgs_queued= bytes_queued=
		memory_pages= mapped_pages="

	if [ "$cword" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$cmds --help" -- "$cur"))
		return
	fi
	local cmd=${words[1]} i args=0
	# how many positional arguments come before the cursor
	for ((i = 2; i < cword; i++)); do
		case ${words[i]} in
		--timeout | -n | -d | --module | --key | --config | --max-trust | --comment) ((i++)) ;;
		-*) ;;
		*) ((args++)) ;;
		esac
	done
	case $prev in
	--timeout | -n | -d | --comment) return ;;
	--module)
		COMPREPLY=($(compgen -W "$(_logosctl_modules)" -- "$cur"))
		return ;;
	--max-trust)
		COMPREPLY=($(compgen -W "untrusted user system core" -- "$cur"))
		return ;;
	--key)
		_filedir pub
		return ;;
	--config)
		_filedir -d
		return ;;
	esac
	case $cmd in
	status | handles)
		[ $args = 0 ] && COMPREPLY=($(compgen -W "$(_logosctl_modules) --json --help" -- "$cur")) ;;
	start | stop | restart | pause | resume | rollback)
		if [ $args = 0 ] && [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W "$(_logosctl_modules)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "--no-wait --timeout --json --help" -- "$cur"))
		fi ;;
	update)
		if [ $args = 0 ] && [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W "$(_logosctl_modules)" -- "$cur"))
		elif [ $args = 1 ] && [[ $cur != -* ]]; then
			_filedir module
		else
			COMPREPLY=($(compgen -W "--allow-downgrade --no-wait --timeout --json --help" -- "$cur"))
		fi ;;
	quota)
		if [ $args = 0 ]; then
			COMPREPLY=($(compgen -W "$(_logosctl_modules)" -- "$cur"))
		elif [ $args = 1 ]; then
			compopt -o nospace 2>/dev/null
			COMPREPLY=($(compgen -W "$resources" -- "$cur"))
		fi ;;
	monitor)
		COMPREPLY=($(compgen -W "-n --kernel --daemon --json --help" -- "$cur")) ;;
	top)
		COMPREPLY=($(compgen -W "-d -n --help" -- "$cur")) ;;
	audit)
		if [ $args = 0 ] && [[ $cur != -* ]]; then
			COMPREPLY=($(compgen -W "show verify" -- "$cur"))
		elif [ "${words[2]}" = show ]; then
			COMPREPLY=($(compgen -W "-n --module --json --help" -- "$cur"))
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--key --json --help" -- "$cur"))
		else
			_filedir
		fi ;;
	keygen)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--max-trust --comment --not-after --json --help" -- "$cur"))
		else
			_filedir
		fi ;;
	sign)
		if [ $args = 0 ]; then _filedir key; else _filedir module; fi ;;
	verify)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--config --json --help" -- "$cur"))
		else
			_filedir module
		fi ;;
	key)
		[ "$prev" = --not-after ] && return
		if [ $args = 0 ]; then
			COMPREPLY=($(compgen -W "list show endorse revoke" -- "$cur"))
		elif [[ $cur == -* ]]; then
			case ${words[2]} in
			endorse) COMPREPLY=($(compgen -W "--max-trust --not-after --json --help" -- "$cur")) ;;
			list | revoke) COMPREPLY=($(compgen -W "--config --json --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
			esac
		else
			case ${words[2]} in
			endorse) if [ $args = 1 ]; then _filedir key; else _filedir pub; fi ;;
			show | revoke) _filedir pub ;;
			esac
		fi ;;
	*)
		COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
	esac
} &&
	complete -F _logosctl logosctl
