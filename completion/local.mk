# completion/local.mk -- shell completion for cowcp, cowmv, cowln and
# cowsnap.
# SPDX-License-Identifier: GPL-3.0-or-later
#
# bash-completion loads a command's completion from a file named after the
# command: cowutils.bash is installed as cowcp, with cowmv, cowln and
# cowsnap as symbolic links to it.  zsh finds _cowutils by its #compdef line.

EXTRA_DIST += completion/cowutils.bash completion/_cowutils

bash_completion_names = cowcp cowmv cowln cowsnap

if INSTALL_BASH_COMPLETION
install-data-local: install-bash-completion
uninstall-local: uninstall-bash-completion
endif
.PHONY: install-bash-completion uninstall-bash-completion
install-bash-completion:
	@$(NORMAL_INSTALL)
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	$(INSTALL_DATA) $(srcdir)/completion/cowutils.bash \
	  '$(DESTDIR)$(bashcompletiondir)/cowcp'
	@for name in $(bash_completion_names); do \
	  test $$name = cowcp && continue; \
	  echo " ln -s cowcp '$(DESTDIR)$(bashcompletiondir)/$$name'"; \
	  rm -f '$(DESTDIR)$(bashcompletiondir)/'$$name \
	    && ln -s cowcp '$(DESTDIR)$(bashcompletiondir)/'$$name || exit 1; \
	done
uninstall-bash-completion:
	@$(NORMAL_UNINSTALL)
	@for name in $(bash_completion_names); do \
	  echo " rm -f '$(DESTDIR)$(bashcompletiondir)/$$name'"; \
	  rm -f '$(DESTDIR)$(bashcompletiondir)/'$$name; \
	done

if INSTALL_ZSH_COMPLETION
zshcompletion_DATA = completion/_cowutils
endif
