from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "highharm.cases"
    label = "cases"

    def ready(self):
        # Cases add their details to the panel's agenda and pack (panels never imports cases).
        from highharm.cases import selectors
        from highharm.panels import hooks

        hooks.register_agenda_source(selectors.agenda_due_for_review)
        hooks.register_case_details(selectors.pack_case_details)
