//! sea-orm entities of the facts tables (see `migration::m0005_facts`). Private to the store.

pub mod form {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fact_form")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: i64,
        pub year: i32,
        pub form: String,
        #[sea_orm(column_type = "Text")]
        pub data: String,
        pub version: i64,
        pub status: String,
        pub updated_by: Option<i64>,
        pub updated_by_name: String,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fact_change")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: i64,
        pub year: i32,
        pub form: String,
        pub field: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub old_value: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub new_value: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub reason: Option<String>,
        pub source: String,
        pub actor_id: Option<i64>,
        pub actor_name: String,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
