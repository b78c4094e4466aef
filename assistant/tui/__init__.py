"""The terminal UI (`assistant chat`): a Textual front end over `AssistantService`.

Like the CLI it is a thin shell: the service answers and indexes, the
conversation module rewrites follow-ups and keeps the audit trail; this
package only draws them and runs the slow parts in worker threads.
"""
