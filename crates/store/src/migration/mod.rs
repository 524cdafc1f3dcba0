//! One migration set for SQLite and PostgreSQL (sea-orm-migration).
//!
//! One file per area. Append new migrations at the end of [`Migrator::migrations`];
//! never edit a migration that has shipped.

use sea_orm_migration::prelude::*;

mod m0001_meta;
mod m0002_units;
mod m0003_auth;
mod m0004_audit;
mod m0005_facts;
mod m0006_fact_extras;
mod m0007_workflow;
mod m0008_plans;
mod m0009_boundaries;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_meta::Migration),
            Box::new(m0002_units::Migration),
            Box::new(m0003_auth::Migration),
            Box::new(m0004_audit::Migration),
            Box::new(m0005_facts::Migration),
            Box::new(m0006_fact_extras::Migration),
            Box::new(m0007_workflow::Migration),
            Box::new(m0008_plans::Migration),
            Box::new(m0009_boundaries::Migration),
        ]
    }
}
