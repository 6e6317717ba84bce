"""GOV.UK consultations as a target kind: a department's, or one."""
