"""The episode's editions, a module each (cnn_lesson.edition says what each declares)."""
