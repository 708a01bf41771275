# SPDX-License-Identifier: MIT
# labgrade.bash: bash completion for labgrade(1): commands, options and the
# check ids, asked of the binary itself (`labgrade list --ids`) so they
# never fall behind the grader. Installed by `make install`.

_labgrade() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev="" cmd="" w i
	local commands="all check list watch explain help version"
	local opts="--kubeconfig --context --rubric --gateway-url --junit
		--markdown --json --lang --timeout --no-journal --ids --help"
	local with_value="--kubeconfig|--context|--rubric|--gateway-url|--junit|--markdown|--json|--lang|--timeout"

	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--lang)
		mapfile -t COMPREPLY < <(compgen -W "es en" -- "$cur")
		return ;;
	--kubeconfig | --rubric | --junit | --markdown | --json)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--context | --gateway-url | --timeout)
		COMPREPLY=()
		return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	# the command: the first word that is neither an option nor its value
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == @($with_value) ]]; then
			((i++))
		elif [[ $w != -* ]]; then
			cmd=$w
			break
		fi
	done
	case $cmd in
	"")
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur") ;;
	check | watch | explain)
		mapfile -t COMPREPLY < <(compgen -W \
			"$("${COMP_WORDS[0]}" list --ids 2>/dev/null)" -- "$cur") ;;
	*)
		COMPREPLY=() ;;
	esac
}
complete -F _labgrade labgrade
