"""GOV.UK Search: government statements, speeches, press releases, news and responses."""
