//! sea-orm entities of the facts tables (see `migration::m0005_facts` and `m0006_fact_extras`). Private to the store.

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
        #[sea_orm(column_type = "Text", nullable)]
        pub note: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod lock {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fact_lock")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub province_id: i64,
        pub year: i32,
        pub lock_date: Date,
        pub reopened: bool,
        #[sea_orm(column_type = "Text", nullable)]
        pub reason: Option<String>,
        pub actor_name: String,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "fact_document")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub unit_id: i64,
        pub year: i32,
        pub sha256: String,
        pub size: i64,
        pub mime: String,
        pub file_name: String,
        pub doc_type: String,
        pub number: String,
        pub date: Date,
        pub issuer: String,
        #[sea_orm(column_type = "Blob")]
        pub content: Vec<u8>,
        pub uploaded_by: Option<i64>,
        pub uploaded_by_name: String,
        pub uploaded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
